package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With a backlog of low-priority work, a later high-priority batch is served first. */
class PriorityIT {

  @Test
  void high_priority_batch_submitted_later_finishes_first_and_low_still_finishes() {
    try (TestSystem system = new TestSystem("priority", Map.of(
        "CHUNK_MAX_ITEMS", "100",
        "WORKER_MAX_BUFFERED_CHUNKS", "2",
        "WORKER_MAX_BATCH_SIZE", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      // The backlog is queued before any worker runs, so the test does not race the worker.
      String low = api.post("/v1/batch/predict",
          Inputs.batchBody("fashion-mnist", Inputs.images(5_000, 1), "\"priority\":\"low\"")).body().get("batch_id").asText();
      String high = api.post("/v1/batch/predict",
          Inputs.batchBody("fashion-mnist", Inputs.images(200, 2), "\"priority\":\"high\"")).body().get("batch_id").asText();

      system.startWorker(system.workerSettings("priority-worker"));

      await().atMost(Duration.ofMinutes(2)).until(() -> "completed".equals(status(api, low)) && "completed".equals(status(api, high)));
      Instant highDone = Instant.parse(api.get("/v1/batch/" + high + "/status").body().get("completed_at").asText());
      Instant lowDone = Instant.parse(api.get("/v1/batch/" + low + "/status").body().get("completed_at").asText());
      assertThat(highDone).isBefore(lowDone);
      assertThat(api.get("/v1/batch/" + low + "/status").body().at("/progress/completed").asLong()).isEqualTo(5_000);
    }
  }

  private static String status(ApiClient api, String id) {
    return api.get("/v1/batch/" + id + "/status").body().get("status").asText();
  }
}
