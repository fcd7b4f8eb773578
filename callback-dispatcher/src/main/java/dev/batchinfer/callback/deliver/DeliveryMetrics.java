package dev.batchinfer.callback.deliver;

import dev.batchinfer.store.webhook.DeliveryStatus;
import dev.batchinfer.store.webhook.WebhookStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;

/** What the dispatcher counts for the operator: attempts by outcome, their latency, retries, dead letters, backlog. */
public final class DeliveryMetrics {

  private final MeterRegistry registry;
  private final Timer latency;
  private final Counter retries;
  private final Counter deadLetters;

  public DeliveryMetrics(MeterRegistry registry, WebhookStore store, Clock clock) {
    this.registry = registry;
    this.latency = Timer.builder("batchinfer.dispatcher.attempt.duration")
        .description("one webhook attempt: connect, send, response headers").publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofMinutes(1)).register(registry);
    this.retries = Counter.builder("batchinfer.dispatcher.retries.scheduled")
        .description("failed attempts followed by another on the retry schedule").register(registry);
    this.deadLetters = Counter.builder("batchinfer.dispatcher.dead.letters")
        .description("deliveries given up and written to the webhook dead-letter topic").register(registry);
    // Read from Redis at scrape time: the backlog is shared by every dispatcher instance.
    Gauge.builder("batchinfer.dispatcher.pending.deliveries", store, s -> guarded(() -> s.pending()))
        .description("deliveries not yet delivered or given up, across all dispatchers").register(registry);
    Gauge.builder("batchinfer.dispatcher.oldest.undelivered.age", store, s -> guarded(() ->
            s.oldestWaitingSinceMs().stream().map(at -> Math.max(0, clock.millis() - at)).findFirst().orElse(0L) / 1000.0))
        .description("how long the oldest undelivered webhook event has waited since it first came due, retries included")
        .baseUnit("seconds").register(registry);
  }

  /** One attempt's result; {@code status} 0 when no HTTP answer came. */
  public void attempted(DeliveryStatus outcome, int status, Duration took) {
    latency.record(took);
    String name = outcome == DeliveryStatus.PENDING ? "retry" : outcome.wire();
    Counter.builder("batchinfer.dispatcher.attempts").description("webhook attempts by outcome and HTTP status class")
        .tag("outcome", name).tag("status_class", status == 0 ? "none" : status / 100 + "xx")
        .register(registry).increment();
    if (outcome == DeliveryStatus.PENDING) {
      retries.increment();
    } else if (outcome == DeliveryStatus.FAILED) {
      deadLetters.increment();
    }
  }

  private static double guarded(java.util.function.DoubleSupplier read) {
    try {
      return read.getAsDouble();
    } catch (RuntimeException redisDown) {
      return Double.NaN;
    }
  }
}
