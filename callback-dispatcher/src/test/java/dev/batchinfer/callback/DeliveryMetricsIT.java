package dev.batchinfer.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.callback.deliver.DeliveryMetrics;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.webhook.Delivery;
import dev.batchinfer.store.webhook.DeliveryStatus;
import dev.batchinfer.store.webhook.WebhookStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The dispatcher's backlog gauges, read from Redis at scrape time, with no dispatcher running. */
class DeliveryMetricsIT {

  @Test
  void pending_deliveries_and_the_oldest_undelivered_age_follow_the_schedule_in_redis() {
    TestNamespace ns = TestNamespace.create("delivery-metrics");
    try (Redis redis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix())) {
      WebhookStore store = new WebhookStore(redis);
      long now = 1_000_000_000L;
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new DeliveryMetrics(registry, store, Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC));
      assertThat(registry.get("batchinfer.dispatcher.pending.deliveries").gauge().value()).isZero();
      assertThat(age(registry)).isZero();

      store.enqueue("b1:batch.completed", "t", "b1", "batch.completed", "https://example.test/hook", "{}", now - 12_000);
      store.enqueue("b2:batch.completed", "t", "b2", "batch.completed", "https://example.test/hook", "{}", now + 60_000);

      assertThat(registry.get("batchinfer.dispatcher.pending.deliveries").gauge().value()).isEqualTo(2);
      assertThat(age(registry)).isEqualTo(12.0);

      // A failed attempt schedules a retry later: the event is no younger for it.
      Delivery first = store.find("b1", "batch.completed").orElseThrow();
      store.recordAttempt(first, "{}", DeliveryStatus.PENDING, now + 30_000, "500");
      assertThat(age(registry)).isEqualTo(12.0);

      // Delivered: it no longer waits, and b2 (first due in the future) counts as no age yet.
      Delivery retried = store.find("b1", "batch.completed").orElseThrow();
      store.recordAttempt(retried, "{}", DeliveryStatus.DELIVERED, 0, "200");
      assertThat(registry.get("batchinfer.dispatcher.pending.deliveries").gauge().value()).isEqualTo(1);
      assertThat(age(registry)).isZero();
    }
  }

  private static double age(SimpleMeterRegistry registry) {
    return registry.get("batchinfer.dispatcher.oldest.undelivered.age").gauge().value();
  }
}
