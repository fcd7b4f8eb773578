package dev.batchinfer.standalone;

import dev.batchinfer.embedded.EmbeddedKafka;
import dev.batchinfer.embedded.EmbeddedRedis;
import dev.batchinfer.embedded.RedisEndpoint;
import dev.batchinfer.embedded.RedisLocator;
import dev.batchinfer.config.Env;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.batchinfer.api.auth.ApiKeys;
import dev.batchinfer.callback.sign.WebhookSigner;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one JVM: an embedded Kafka broker (unless KAFKA_BOOTSTRAP_SERVERS names one),
 * Redis (REDIS_URL, else an embedded redis-server), and every service, keeping their data in
 * {@link #dataDir}. Ctrl-C stops it cleanly; a kill loses nothing accepted.
 */
public final class StandaloneMain {

  private static final Logger log = LoggerFactory.getLogger(StandaloneMain.class);
  static final String DEV_KEY = "dev-key";

  private StandaloneMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> vars = new HashMap<>(System.getenv());
    // Development defaults, each overridable: webhooks may go to receivers on this machine over
    // plain http, and a signing secret is made up if none is given.
    vars.putIfAbsent("CALLBACK_ALLOW_HTTP", "true");
    vars.putIfAbsent("CALLBACK_ALLOWED_CIDRS", "127.0.0.0/8,::1/128");
    Path work = dataDir(vars);
    SigningSecret secret = SigningSecret.settle(vars, work.resolve("webhook-secret"),
        () -> WebhookSigner.newSecret(new SecureRandom()));
    // A fixed development key (tenant "dev", admin role), so the README's curl lines work as written.
    // The standalone API listens on 127.0.0.1 only; set API_KEYS for anything else.
    vars.putIfAbsent("API_KEYS", ApiKeys.entry("dev", true, DEV_KEY));
    Env env = Env.of(vars);
    Optional<String> externalKafka = Optional.ofNullable(System.getenv("KAFKA_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank());
    EmbeddedKafka kafka = externalKafka.isPresent() ? null
        : EmbeddedKafka.start(dir(work.resolve("kafka")), env.integer("KAFKA_PORT", 9092, 1, 65535));
    String bootstrap = externalKafka.orElseGet(kafka::bootstrapServers);
    RedisEndpoint redis = RedisLocator.locate(Optional.ofNullable(System.getenv("REDIS_URL")).filter(s -> !s.isBlank()), 0,
        work.resolve("redis"));
    // Stopped by the hook below, after the services that use it.
    redis.embedded().ifPresent(EmbeddedRedis::leaveShutdownToOwner);
    StandaloneApp app;
    try {
      app = StandaloneApp.start(env, bootstrap, redis.url(), dir(work.resolve("streams")));
    } catch (RuntimeException e) {
      // The broker's threads would otherwise keep a process up that serves nothing.
      log.error("batch-inference did not start: {}", e.getMessage(), e);
      redis.close();
      if (kafka != null) {
        kafka.close();
      }
      System.exit(1);
      return;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping ...");
      app.close();
      redis.close();
      if (kafka != null) {
        kafka.close();
      }
      stopped.countDown();
    }, "standalone-shutdown"));
    String api = "http://127.0.0.1:" + app.apiPort();
    log.info("""

        ============================================================
         batch-inference is running
           API        {}   (submit: POST {}/v1/batch/predict)
           Metrics    {}
           Kafka      {}{}
           Redis      {}{}
           Data       {}   (DATA_DIR; a restart on it resumes)
           API key    Authorization: Bearer {}   (tenant "dev", admin; development only)
           Webhooks   signed with {}
                      (development mode: http and 127.0.0.0/8 receivers allowed)
         Ctrl-C stops everything.
        ============================================================""",
        api, api, app.metricsPort() < 0 ? "off (METRICS_PORT)" : "http://127.0.0.1:" + app.metricsPort() + "/metrics",
        bootstrap, kafka == null ? "" : " (embedded)", redis.url(),
        redis.embedded().isPresent() ? " (embedded, AOF fsynced every second)" : "", work,
        System.getenv("API_KEYS") == null ? DEV_KEY : "(from API_KEYS)",
        secret.banner());
    stopped.await();
  }

  /**
   * DATA_DIR (STANDALONE_DATA_DIR, its older name, is read too), by default {@code batch-inference-data}
   * in the working directory: the embedded broker's logs, Redis' append-only file, the progress
   * topology's state and a made-up webhook secret. A start on the same directory resumes: accepted
   * batches finish, results stay readable.
   */
  static Path dataDir(Map<String, String> vars) {
    String given = vars.getOrDefault("DATA_DIR", vars.get("STANDALONE_DATA_DIR"));
    return dir(Path.of(given == null || given.isBlank() ? "batch-inference-data" : given).toAbsolutePath());
  }

  private static Path dir(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
