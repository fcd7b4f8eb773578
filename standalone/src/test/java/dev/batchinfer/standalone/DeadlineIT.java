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

/** A batch whose completion window passes while its workers are stopped. */
class DeadlineIT {

  private static final int ITEMS = 30_000;

  @Test
  void a_short_completion_window_expires_the_batch_keeping_what_finished_and_fires_the_webhook() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        TestSystem system = new TestSystem("deadline", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withDispatcher().withApi();
      ApiClient api = system.api();
      // Started first: loading its models must not eat the window before any item can finish.
      GpuWorkerApp slow = system.startWorker(system.workerSettings("slow", Map.of(
          "WORKER_MAX_BATCH_SIZE", "1", "WORKER_MAX_QUEUE_DELAY", "0ms", "TF_INTRA_OP_THREADS", "1")));
      String id = api.post("/v1/batch/predict", Inputs.batchBodyBase64("fashion-mnist", Inputs.images(ITEMS, 6),
          "\"completion_window\":\"10s\",\"callback_url\":\"" + receiver.url() + "\"")).body().get("batch_id").asText();
      assertThat(api.get("/v1/batch/" + id + "/status").body().get("deadline")).isNotNull();

      await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofMinutes(1)).until(() ->
          api.get("/v1/batch/" + id + "/status").body().at("/progress/completed").asLong() > 0);
      slow.halt(); // the workers pause; the window runs out

      await().atMost(Duration.ofSeconds(30)).until(() ->
          "expired".equals(api.get("/v1/batch/" + id + "/status").body().get("status").asText()));
      long completed = api.get("/v1/batch/" + id + "/status").body().at("/progress/completed").asLong();
      assertThat(completed).isPositive();

      long withResult = 0;
      long expired = 0;
      String[] lines = api.getNdjson("/v1/batch/" + id + "/results").body().split("\n");
      for (String line : lines) {
        JsonNode item = ApiClient.JSON.readTree(line);
        if (item.has("result")) {
          withResult++;
        } else if ("expired".equals(item.at("/error/code").asText())) {
          expired++;
        }
      }
      assertThat(lines).hasSize(ITEMS);
      assertThat(withResult).isGreaterThanOrEqualTo(completed);
      assertThat(withResult + expired).isEqualTo(ITEMS);

      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().stream()
          .anyMatch(r -> r.body().contains("\"type\":\"batch.expired\"")));
    }
  }
}
