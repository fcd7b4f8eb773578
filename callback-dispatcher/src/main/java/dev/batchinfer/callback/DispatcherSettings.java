package dev.batchinfer.callback;

import dev.batchinfer.callback.schedule.RetrySchedule;
import dev.batchinfer.callback.sign.WebhookSigners;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * @param publicBaseUrl PUBLIC_BASE_URL, the API's address clients use (for links in webhook bodies)
 * @param secrets WEBHOOK_SECRETS, comma-separated {@code whsec_} secrets, newest first (several
 *     during a rotation: each attempt carries a signature per secret)
 * @param signers per-tenant secrets (TENANT_WEBHOOK_SECRETS), falling back to {@code secrets}
 * @param policy where webhooks may go (CALLBACK_ALLOW_HTTP, CALLBACK_ALLOWED_CIDRS)
 * @param schedule CALLBACK_RETRY_SCHEDULE
 * @param connectTimeout CALLBACK_CONNECT_TIMEOUT
 * @param totalTimeout CALLBACK_TIMEOUT, for a whole attempt: connect, send, response headers
 * @param concurrency CALLBACK_CONCURRENCY, attempts in flight at once
 * @param groupId CALLBACK_GROUP_ID, the consumer group of all dispatchers
 */
public record DispatcherSettings(
    CommonSettings common,
    String publicBaseUrl,
    List<String> secrets,
    WebhookSigners signers,
    CallbackPolicy policy,
    RetrySchedule schedule,
    Duration connectTimeout,
    Duration totalTimeout,
    int concurrency,
    String groupId) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_CONCURRENCY = 16;
  public static final String DEFAULT_GROUP_ID = "callback-dispatcher";
  /** Where the API listens by default (its API_HOST and API_PORT defaults), for the links in webhook bodies. */
  public static final String DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8080";

  public static DispatcherSettings from(Env env) {
    String secrets = env.string("WEBHOOK_SECRETS", "");
    if (secrets.isBlank()) {
      throw new Env.SettingException("WEBHOOK_SECRETS is not set: give one or more whsec_<base64> secrets, newest first"
          + " (the standalone mode makes one for you)");
    }
    List<String> defaults = Arrays.stream(secrets.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new DispatcherSettings(
        CommonSettings.from(env),
        env.string("PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL),
        defaults,
        WebhookSigners.parse(defaults, env.string("TENANT_WEBHOOK_SECRETS", "")),
        CallbackPolicy.from(env),
        RetrySchedule.parse(env.string("CALLBACK_RETRY_SCHEDULE", RetrySchedule.DEFAULT)),
        env.duration("CALLBACK_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
        env.duration("CALLBACK_TIMEOUT", DEFAULT_TIMEOUT),
        env.integer("CALLBACK_CONCURRENCY", DEFAULT_CONCURRENCY, 1, 1024),
        env.string("CALLBACK_GROUP_ID", DEFAULT_GROUP_ID));
  }

  public DispatcherSettings with(CommonSettings c, String baseUrl) {
    return new DispatcherSettings(c, baseUrl, secrets, signers, policy, schedule, connectTimeout, totalTimeout, concurrency, groupId);
  }
}
