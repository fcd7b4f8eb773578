package dev.batchinfer.observability;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * What a log line is about, in the logging MDC: {@code batch_id}, {@code tenant} and
 * {@code request_id} (the submit's {@code X-Request-Id}, carried to every service in Kafka record
 * headers). The JSON log format writes them as fields of every line; the text format shows the batch.
 */
public final class LogContext {

  public static final String BATCH_ID = "batch_id";
  public static final String TENANT = "tenant";
  public static final String REQUEST_ID = "request_id";

  private LogContext() {}

  /** Puts the given values (null ones are left as they are) until the scope closes, which restores the previous ones. */
  public static Scope open(String batchId, String tenant, String requestId) {
    Map<String, String> previous = new HashMap<>(3);
    put(previous, BATCH_ID, batchId);
    put(previous, TENANT, tenant);
    put(previous, REQUEST_ID, requestId);
    return () -> previous.forEach((k, v) -> {
      if (v == null) {
        MDC.remove(k);
      } else {
        MDC.put(k, v);
      }
    });
  }

  /** Sets one value for the rest of the request or task (cleared by the scope that opened it). */
  public static void put(String key, String value) {
    if (value != null) {
      MDC.put(key, value);
    }
  }

  public static String get(String key) {
    return MDC.get(key);
  }

  private static void put(Map<String, String> previous, String key, String value) {
    if (value != null) {
      previous.put(key, MDC.get(key));
      MDC.put(key, value);
    }
  }

  /** Closes without an exception. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
