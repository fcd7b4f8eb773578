package dev.batchinfer.progress;

/**
 * The root of what the progress service throws itself. A Redis outage is not wrapped: it surfaces as Lettuce's
 * {@code RedisException}, as in the stores.
 */
public class ProgressException extends RuntimeException {
  public ProgressException(String message) {
    super(message);
  }

  public ProgressException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Kafka could not be asked now (an admin call failed or was interrupted); the same call is expected to work later. */
  public static class Retriable extends ProgressException {
    public Retriable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
