package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tenants share the workers: a later small batch of one is not stuck behind another's backlog. */
class FairShareIT {

  @Test
  void a_later_batch_of_another_tenant_finishes_before_a_backlog_submitted_earlier() {
    try (TestSystem system = new TestSystem("fair", Map.of(
        // Tenants take turns among the chunks a worker has read ahead: here the whole backlog.
        "CHUNK_MAX_ITEMS", "100", "WORKER_MAX_BUFFERED_CHUNKS", "64", "WORKER_MAX_BATCH_SIZE", "100"))) {
      system.withResultStore().withApi();
      ApiClient a = system.api();
      ApiClient b = a.withKey(ApiClient.KEY_B);
      // Same priority for both; the backlog is queued before any worker runs.
      String backlog = a.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(5_000, 1), null))
          .body().get("batch_id").asText();
      String later = b.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(200, 2), null))
          .body().get("batch_id").asText();

      system.startWorker(system.workerSettings("fair-worker"));

      await().atMost(Duration.ofMinutes(2)).until(() ->
          "completed".equals(a.get("/v1/batch/" + backlog + "/status").body().get("status").asText())
              && "completed".equals(b.get("/v1/batch/" + later + "/status").body().get("status").asText()));
      Instant laterDone = Instant.parse(b.get("/v1/batch/" + later + "/status").body().get("completed_at").asText());
      Instant backlogDone = Instant.parse(a.get("/v1/batch/" + backlog + "/status").body().get("completed_at").asText());
      assertThat(laterDone).isBefore(backlogDone);
    }
  }
}
