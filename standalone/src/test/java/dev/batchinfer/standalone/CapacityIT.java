package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GET /v1/capacity against a backlog the test builds (no worker yet, so it stays queued), the same figures in
 * a 429, and the measured throughput once a worker has drained it.
 */
class CapacityIT {

  private static final int CAP = 1_000;

  @Test
  void capacity_reports_a_known_backlog_the_tenants_quota_and_after_a_worker_drains_it_its_throughput() {
    try (TestSystem system = new TestSystem("capacity", Map.of("CHUNK_MAX_ITEMS", "100",
        "MAX_QUEUED_ITEMS", Integer.toString(CAP),
        // Item tokens refill slowly enough that the three submits' use is still visible when the test reads it.
        "RATE_ITEMS_PER_SECOND", "1"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      Map<String, Integer> sizes = Map.of(api.submit(aBatch().withItems(300).withPriority("normal")), 300,
          api.submit(aBatch().withItems(200).withPriority("normal")), 200,
          api.submit(aBatch().withItems(50).withPriority("high")), 50);

      JsonNode capacity = ok(api.get("/v1/capacity?model=fashion-mnist&items=400"));
      assertThat(capacity.at("/tenant").asText()).isEqualTo("tenant-a");
      assertThat(capacity.at("/queues/high/batches").asLong()).isEqualTo(1);
      assertThat(capacity.at("/queues/high/items").asLong()).isEqualTo(50);
      assertThat(capacity.at("/queues/normal/batches").asLong()).isEqualTo(2);
      assertThat(capacity.at("/queues/normal/items").asLong()).isEqualTo(500);
      assertThat(capacity.at("/queues/low/items").asLong()).isZero();
      JsonNode estimate = capacity.at("/estimates/0");
      assertThat(estimate.at("/model").asText()).isEqualTo("fashion-mnist");
      assertThat(estimate.at("/priority").asText()).isEqualTo("normal");
      assertThat(estimate.at("/batches_ahead").asLong()).isEqualTo(3);
      assertThat(estimate.at("/items_ahead").asLong()).as("all three batches are ahead of a new normal one").isEqualTo(550);
      assertThat(estimate.at("/measured").asBoolean()).as("no worker has run yet").isFalse();
      assertThat(estimate.at("/wait_seconds").asDouble()).isPositive();
      assertThat(capacity.at("/quota/queued_items/used").asLong()).isEqualTo(550);
      assertThat(capacity.at("/quota/queued_items/remaining").asLong()).isEqualTo(CAP - 550);
      assertThat(capacity.at("/quota/items/rate_per_second").asDouble()).isEqualTo(1);
      assertThat(capacity.at("/quota/items/used").asDouble()).as("item tokens taken by the three submits, less a refill of one a second")
          .isBetween(500.0, 550.0);
      assertThat(capacity.at("/throughput")).anySatisfy(v -> {
        assertThat(v.at("/model").asText()).isEqualTo("fashion-mnist");
        assertThat(v.at("/served").asBoolean()).isFalse();
      });
      JsonNode high = ok(api.get("/v1/capacity?model=fashion-mnist&priority=high&items=10")).at("/estimates/0");
      assertThat(high.at("/items_ahead").asLong()).as("only the high batch is ahead of a new high one").isEqualTo(50);

      ApiClient.Answer refused = api.post("/v1/batch/predict", aBatch().withItems(CAP - 500).json());
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.body().at("/capacity/quota/queued_items/used").asLong()).isEqualTo(550);
      assertThat(refused.body().at("/capacity/quota/queued_items/limit").asLong()).isEqualTo(CAP);
      assertThat(refused.body().at("/capacity/queues/normal/items").asLong()).isEqualTo(500);
      assertThat(refused.body().at("/capacity/estimates")).isNotEmpty();

      assertThat(api.get("/v1/capacity?priority=urgent").status()).isEqualTo(400);
      assertThat(api.get("/v1/capacity?priority=urgent").body().at("/field").asText()).isEqualTo("priority");
      assertThat(api.get("/v1/capacity?model=nope").body().at("/field").asText()).isEqualTo("model");

      system.startWorker(system.workerSettings("capacity-worker"));
      sizes.forEach((id, items) ->
          BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(2))).isCompletedWith(items, 0));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode after = ok(api.get("/v1/capacity?model=fashion-mnist"));
        assertThat(after.at("/queues/normal/batches").asLong()).isZero();
        assertThat(after.at("/quota/queued_items/used").asLong()).isZero();
        assertThat(after.at("/estimates/0/measured").asBoolean()).isTrue();
        assertThat(after.at("/throughput")).anySatisfy(v -> {
          assertThat(v.at("/version").asText()).isEqualTo(after.at("/estimates/0/version").asText());
          assertThat(v.at("/items_per_second").asDouble()).isPositive();
          assertThat(v.at("/served").asBoolean()).isTrue();
        });
      });
    }
  }

  private static JsonNode ok(ApiClient.Answer answer) {
    assertThat(answer.status()).as("%s", answer.body()).isEqualTo(200);
    return answer.body();
  }
}
