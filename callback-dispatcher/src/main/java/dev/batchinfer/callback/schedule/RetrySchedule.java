package dev.batchinfer.callback.schedule;

import dev.batchinfer.config.Env;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When each attempt of a delivery happens, counted from the previous failure: by default like
 * Svix, immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. Each wait gets ±10 % jitter
 * so receivers coming back from an outage are not hit by every retry at once; a receiver's
 * Retry-After (429/503) is honoured when it asks for longer.
 */
public final class RetrySchedule {

  public static final String DEFAULT = "0s,5s,5m,30m,2h,5h,10h,10h";
  static final double JITTER = 0.1;

  private final List<Duration> delays;
  private final DoubleSupplier random;

  public RetrySchedule(List<Duration> delays, DoubleSupplier random) {
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("a retry schedule needs at least one attempt");
    }
    this.delays = List.copyOf(delays);
    this.random = random;
  }

  /** Comma-separated waits before each attempt (CALLBACK_RETRY_SCHEDULE), e.g. {@value #DEFAULT}. */
  public static RetrySchedule parse(String text) {
    List<Duration> delays = new ArrayList<>();
    for (String part : text.split(",")) {
      delays.add(Env.parseDuration(part.trim()).orElseThrow(() -> new Env.SettingException(
          "CALLBACK_RETRY_SCHEDULE must be comma-separated durations such as " + DEFAULT + ", got '" + text + "'")));
    }
    return new RetrySchedule(delays, Math::random);
  }

  public int attempts() {
    return delays.size();
  }

  /**
   * The wait before the next attempt after {@code attemptsMade} failed ones, or empty when the
   * schedule is used up (the delivery is dead-lettered).
   */
  public Optional<Duration> next(int attemptsMade, Duration retryAfter) {
    if (attemptsMade >= delays.size()) {
      return Optional.empty();
    }
    Duration planned = delays.get(attemptsMade);
    long ms = planned.toMillis();
    long jittered = Math.round(ms * (1 + JITTER * (2 * random.getAsDouble() - 1)));
    Duration wait = Duration.ofMillis(Math.max(0, jittered));
    if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
      wait = retryAfter;
    }
    return Optional.of(wait);
  }
}
