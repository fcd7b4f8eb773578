package dev.batchinfer.client;

import java.time.Duration;
import java.util.Optional;

/**
 * When to send a request again: after a 429 or 503 (the API's answers for a limit reached or a dependency down,
 * which change nothing), or a connection that failed, up to {@code attempts} in all. The wait is the answer's
 * Retry-After when it has one, else {@code firstBackoff} doubling up to {@code maxBackoff}. Submits are safe to
 * send again because each carries one Idempotency-Key across its attempts.
 */
public record RetryPolicy(int attempts, Duration firstBackoff, Duration maxBackoff) {

  public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(30));
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
  }

  public static boolean retriable(int status) {
    return status == 429 || status == 503;
  }

  /**
   * @param attempt the attempt that just failed, from 1
   * @return how long to wait before the next, or empty if there is to be none
   */
  public Optional<Duration> next(int attempt, Optional<Duration> retryAfter) {
    if (attempt >= attempts) {
      return Optional.empty();
    }
    if (retryAfter.isPresent()) {
      return retryAfter;
    }
    long ms = firstBackoff.toMillis() << Math.min(attempt - 1, 20);
    return Optional.of(Duration.ofMillis(Math.min(ms, maxBackoff.toMillis())));
  }

  /** Retry-After in seconds (the form the API sends); an HTTP date or garbage reads as none. */
  static Optional<Duration> parseRetryAfter(String header) {
    if (header == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip()))));
    } catch (NumberFormatException notSeconds) {
      return Optional.empty();
    }
  }
}
