package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A batch queued behind a normal-priority backlog, moved to high priority, runs ahead of that backlog. */
class ReprioritiseIT {

  @Test
  void a_batch_moved_to_high_priority_finishes_before_the_backlog_queued_ahead_of_it_with_every_item_once() throws Exception {
    try (TestSystem system = new TestSystem("reprioritise", Map.of(
        "CHUNK_MAX_ITEMS", "100",
        "WORKER_MAX_BUFFERED_CHUNKS", "2",
        "WORKER_MAX_BATCH_SIZE", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      // Both queued before any worker runs, so the test does not race the worker.
      String backlog = api.submit(aBatch().withItems(5_000));
      String moved = api.submit(aBatch().withItems(300));

      assertThat(api.exchange("/v1/batch/" + moved, r -> r.method("PATCH",
          java.net.http.HttpRequest.BodyPublishers.ofString("{\"priority\":\"urgent\"}"))).body().get("field").asText())
          .isEqualTo("/priority");
      ApiClient.Answer patch = api.exchange("/v1/batch/" + moved, r -> r.method("PATCH",
          java.net.http.HttpRequest.BodyPublishers.ofString("{\"priority\":\"high\"}")).header("Content-Type", "application/json"));
      assertThat(patch.status()).as("%s", patch.body()).isEqualTo(200);
      assertThat(patch.body().get("previous_priority").asText()).isEqualTo("normal");
      assertThat(patch.body().get("moved_chunks").asInt()).as("its three waiting chunks").isEqualTo(3);
      assertThat(status(api, moved).get("priority").asText()).isEqualTo("high");

      system.startWorker(system.workerSettings("reprioritise-worker"));
      BatchAssertions.assertThat(api.awaitFinal(moved, Duration.ofMinutes(2))).isCompletedWith(300, 0);
      BatchAssertions.assertThat(api.awaitFinal(backlog, Duration.ofMinutes(2))).isCompletedWith(5_000, 0);
      assertThat(Instant.parse(status(api, moved).get("completed_at").asText()))
          .isBefore(Instant.parse(status(api, backlog).get("completed_at").asText()));

      Set<Long> indexes = new HashSet<>();
      String[] lines = api.getNdjson("/v1/batch/" + moved + "/results").body().split("\n");
      for (String line : lines) {
        indexes.add(ApiClient.JSON.readTree(line).get("index").asLong());
      }
      assertThat(lines).hasSize(300);
      assertThat(indexes).as("every item once, though each chunk was on two topics").hasSize(300);
      JsonNode change = status(api, moved).at("/history/0");
      assertThat(change.get("change").asText()).isEqualTo("priority");
      assertThat(change.get("from").asText()).isEqualTo("normal");
      assertThat(change.get("to").asText()).isEqualTo("high");
      await().atMost(Duration.ofSeconds(30)).until(() -> system.batchEvents(moved, "batch.priority_changed") == 1);
    }
  }

  private static JsonNode status(ApiClient api, String id) {
    return api.get("/v1/batch/" + id + "/status").body();
  }
}
