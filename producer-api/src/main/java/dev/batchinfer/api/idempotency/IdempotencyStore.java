package dev.batchinfer.api.idempotency;

import dev.batchinfer.store.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Optional;

/**
 * Idempotency keys (IETF httpapi Idempotency-Key draft), per tenant: the first request with a key
 * claims it; when it finishes, its response is kept for 24 hours and replayed to any repeat with
 * the same body. A claim whose request died expires after {@link #IN_FLIGHT_TTL}.
 */
public final class IdempotencyStore implements AutoCloseable {

  static final Duration KEEP = Duration.ofHours(24);
  static final Duration IN_FLIGHT_TTL = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What is stored under a key: a request in flight, or its finished response. */
  public record Entry(boolean inFlight, String bodyHash, int status, String location, String response) {}

  private final Redis redis;

  private IdempotencyStore(Redis redis) {
    this.redis = redis;
  }

  public static IdempotencyStore connect(String redisUrl, String keyPrefix) {
    return new IdempotencyStore(Redis.connect(redisUrl, keyPrefix));
  }

  private String key(String tenant, String idempotencyKey) {
    // Hashed: the client's key may be long or contain anything.
    return redis.prefix() + "idempotency:{" + tenant + "}:" + dev.batchinfer.api.auth.ApiKeys.sha256Hex(idempotencyKey);
  }

  /** Claims the key for a new request; if it is taken, returns what holds it. */
  public Optional<Entry> claim(String tenant, String idempotencyKey) {
    String k = key(tenant, idempotencyKey);
    String claimed = redis.sync().set(k, write(new Entry(true, null, 0, null, null)),
        SetArgs.Builder.nx().ex(IN_FLIGHT_TTL.toSeconds()));
    if ("OK".equals(claimed)) {
      return Optional.empty();
    }
    String held = redis.sync().get(k);
    return held == null ? claim(tenant, idempotencyKey) : Optional.of(read(held));
  }

  public void complete(String tenant, String idempotencyKey, String bodyHash, int status, String location, String response) {
    redis.sync().set(key(tenant, idempotencyKey), write(new Entry(false, bodyHash, status, location, response)),
        SetArgs.Builder.ex(KEEP.toSeconds()));
  }

  /** Gives the key up after a failed request, so the client can retry with it. */
  public void release(String tenant, String idempotencyKey) {
    redis.sync().del(key(tenant, idempotencyKey));
  }

  private static String write(Entry e) {
    try {
      return JSON.writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static Entry read(String text) {
    try {
      return JSON.readValue(text, Entry.class);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("stored idempotency entry is not JSON", ex);
    }
  }

  @Override
  public void close() {
    redis.close();
  }
}
