package dev.batchinfer.store;

/**
 * The root of what the stores throw themselves: data in Redis that is not of the expected form.
 * A Redis outage is not wrapped: it surfaces as Lettuce's {@code RedisException}, which every
 * caller already treats as retriable (read the chunk again, answer 503).
 */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A write that lost every optimistic race it ran; the same call is expected to succeed later. */
  public static class Retriable extends StoreException {
    public Retriable(String message) {
      super(message);
    }
  }
}
