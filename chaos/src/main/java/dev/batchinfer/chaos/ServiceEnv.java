package dev.batchinfer.chaos;

import dev.batchinfer.api.auth.ApiKeys;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings every service of a {@link ChaosCluster} starts with, before the layout's own. Apart from the
 * cluster's process management: these values are tuned to the scenarios, each with its reason beside it.
 */
final class ServiceEnv {

  private ServiceEnv() {}

  static Map<String, String> shared(String bootstrapServers, String redisUrl, Path modelArtifacts,
      String webhookSecret) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    // Short enough that an outage turns into retries within seconds, long enough for a loaded 2-core machine.
    env.put("REDIS_URL", redisUrl + "?timeout=3s");
    env.put("REDIS_KEY_PREFIX", ChaosCluster.KEY_PREFIX);
    env.put("MODEL_ARTIFACTS", modelArtifacts.toAbsolutePath().toString());
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    env.put("TF_INTRA_OP_THREADS", "1");
    env.put("METRICS_PORT", "0"); // many services on one machine: each takes a free management port
    env.put("TF_INTER_OP_THREADS", "1");
    env.put("API_KEYS", ApiKeys.entry("tenant-a", false, ChaosCluster.KEY_A) + ","
        + ApiKeys.entry("tenant-b", false, ChaosCluster.KEY_B));
    env.put("RATE_REQUESTS_PER_SECOND", "1000");
    // Low enough that one tenant's flood meets its quota (scenario 20), high enough for every other scenario.
    env.put("MAX_QUEUED_ITEMS", "60000");
    // Below the 70 MB body of the oversize scenario (18-19), far above any batch the load sends (about 11 MB).
    env.put("MAX_REQUEST_MB", "64");
    env.put("WEBHOOK_SECRETS", webhookSecret);
    env.put("CALLBACK_ALLOW_HTTP", "true");
    env.put("CALLBACK_ALLOWED_CIDRS", "127.0.0.0/8");
    env.put("CALLBACK_RETRY_SCHEDULE", "0s,1s,2s,4s,8s,15s,30s,60s");
    env.put("CALLBACK_TIMEOUT", "3s");
    return env;
  }
}
