package dev.batchinfer.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.callback.deliver.DeliveryMetrics;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.webhook.WebhookStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The dispatcher's backlog gauges, read from Redis at scrape time, with no dispatcher running. */
class DeliveryMetricsIT {

  @Test
  void pending_deliveries_and_the_oldest_overdue_age_follow_the_schedule_in_redis() {
    TestNamespace ns = TestNamespace.create("delivery-metrics");
    try (Redis redis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix())) {
      WebhookStore store = new WebhookStore(redis);
      long now = 1_000_000_000L;
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new DeliveryMetrics(registry, store, Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC));
      assertThat(registry.get("batchinfer.dispatcher.pending.deliveries").gauge().value()).isZero();
      assertThat(registry.get("batchinfer.dispatcher.oldest.due.age").gauge().value()).isZero();

      store.enqueue("b1:batch.completed", "t", "b1", "batch.completed", "https://example.test/hook", "{}", now - 12_000);
      store.enqueue("b2:batch.completed", "t", "b2", "batch.completed", "https://example.test/hook", "{}", now + 60_000);

      assertThat(registry.get("batchinfer.dispatcher.pending.deliveries").gauge().value()).isEqualTo(2);
      assertThat(registry.get("batchinfer.dispatcher.oldest.due.age").gauge().value()).isEqualTo(12.0);
    }
  }
}
