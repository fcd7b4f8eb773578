package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.worker.GpuWorkerApp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cancel in the middle of a batch: it stops, finished results stay, the rest is cancelled. */
class CancelIT {

  private static final int ITEMS = 30_000;

  @Test
  void cancel_mid_batch_keeps_finished_results_marks_the_rest_and_emits_one_event() throws Exception {
    try (TestSystem system = new TestSystem("cancel", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      String id = api.post("/v1/batch/predict", Inputs.batchBodyBase64("fashion-mnist", Inputs.images(ITEMS, 8), null))
          .body().get("batch_id").asText();

      // A deliberately slow worker (one item per model call) does part of the batch, then stops.
      GpuWorkerApp slow = system.startWorker(system.workerSettings("slow", Map.of(
          "WORKER_MAX_BATCH_SIZE", "1", "WORKER_MAX_QUEUE_DELAY", "0ms", "TF_INTRA_OP_THREADS", "1")));
      await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofMinutes(1)).until(() ->
          api.get("/v1/batch/" + id + "/status").body().at("/progress/completed").asLong() > 0);
      slow.halt();

      assertThat(api.withKey(ApiClient.KEY_B).post("/v1/batch/" + id + "/cancel", "").status()).isEqualTo(404);
      ApiClient.Answer cancel = api.post("/v1/batch/" + id + "/cancel", "");
      assertThat(cancel.status()).isEqualTo(202);
      assertThat(cancel.body().get("status").asText()).isEqualTo("cancelling");

      system.startWorker(system.workerSettings("fast"));
      await().atMost(Duration.ofMinutes(1)).until(() ->
          "cancelled".equals(api.get("/v1/batch/" + id + "/status").body().get("status").asText()));

      JsonNode progress = api.get("/v1/batch/" + id + "/status").body().get("progress");
      long completed = progress.get("completed").asLong();
      long cancelled = progress.get("cancelled").asLong();
      assertThat(completed).isPositive();
      assertThat(cancelled).isPositive();
      assertThat(completed + progress.get("failed").asLong() + cancelled).isEqualTo(ITEMS);
      long withResult = 0;
      long markedCancelled = 0;
      for (String line : api.getNdjson("/v1/batch/" + id + "/results").body().split("\n")) {
        JsonNode item = ApiClient.JSON.readTree(line);
        if (item.has("result")) {
          withResult++;
        } else if ("cancelled".equals(item.at("/error/code").asText())) {
          markedCancelled++;
        }
      }
      assertThat(withResult).isEqualTo(completed);
      assertThat(markedCancelled).isEqualTo(cancelled);

      // The status is written while the topology's transaction is open; the event is visible once it commits.
      await().atMost(Duration.ofSeconds(30)).until(() -> system.batchEvents(id, "batch.cancelled") >= 1);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> system.batchEvents(id, "batch.cancelled") == 1);
      assertThat(api.post("/v1/batch/" + id + "/cancel", "").status()).isEqualTo(409);
    }
  }
}
