package dev.batchinfer.callback;

import dev.batchinfer.topics.env.CommonSettings;
import dev.batchinfer.topics.env.Env;
import java.time.Duration;

/**
 * @param publicBaseUrl PUBLIC_BASE_URL, the API's address clients use (for links in webhook bodies)
 * @param timeout CALLBACK_TIMEOUT, connect and total time for one delivery attempt
 * @param attempts CALLBACK_ATTEMPTS, attempts per event before it is given up
 * @param groupId CALLBACK_GROUP_ID, the consumer group of all dispatchers
 */
public record DispatcherSettings(CommonSettings common, String publicBaseUrl, Duration timeout, int attempts, String groupId) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_ATTEMPTS = 3;
  public static final String DEFAULT_GROUP_ID = "callback-dispatcher";

  public static DispatcherSettings from(Env env) {
    return new DispatcherSettings(
        CommonSettings.from(env),
        env.string("PUBLIC_BASE_URL", "http://127.0.0.1:8080"),
        env.duration("CALLBACK_TIMEOUT", DEFAULT_TIMEOUT),
        env.integer("CALLBACK_ATTEMPTS", DEFAULT_ATTEMPTS, 1, 100),
        env.string("CALLBACK_GROUP_ID", DEFAULT_GROUP_ID));
  }

  public DispatcherSettings with(CommonSettings c, String baseUrl) {
    return new DispatcherSettings(c, baseUrl, timeout, attempts, groupId);
  }
}
