package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
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
      JsonNode status = api.get("/v1/batch/" + id + "/status").body();
      long completed = status.at("/progress/completed").asLong();
      assertThat(completed).isPositive();
      assertThat(status.at("/progress/expired").asLong()).as("the items not answered at the deadline")
          .isEqualTo(ITEMS - completed - status.at("/progress/failed").asLong() - status.at("/progress/cancelled").asLong());
      assertThat(status.get("expired_reason").asText()).matches("the window ended while it ran: \\d+ of 30000 items answered"
          + "|no worker served fashion-mnist@2\\.0\\.0 before the deadline");

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

  @Test
  void an_expired_batch_says_why_it_had_not_finished() {
    try (TestSystem system = new TestSystem("deadline-why", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      String unserved = api.submit(aBatch().withItems(300).withField("completion_window", "\"2s\""));
      String paused = api.submit(aBatch().withItems(200).withField("completion_window", "\"2s\""));
      assertThat(api.post("/v1/batch/" + paused + "/pause", "").status()).isEqualTo(202);

      BatchAssertions.assertThat(api.awaitFinal(unserved, Duration.ofSeconds(30))).hasStatus("expired");
      BatchAssertions.assertThat(api.awaitFinal(paused, Duration.ofSeconds(30))).hasStatus("expired");
      JsonNode a = api.get("/v1/batch/" + unserved + "/status").body();
      assertThat(a.at("/progress/expired").asLong()).isEqualTo(300);
      assertThat(a.get("expired_reason").asText()).isEqualTo("no worker served fashion-mnist@2.0.0 before the deadline");
      JsonNode b = api.get("/v1/batch/" + paused + "/status").body();
      assertThat(b.at("/progress/expired").asLong()).isEqualTo(200);
      assertThat(b.get("expired_reason").asText()).isEqualTo("paused past the deadline");
    }
  }

  @Test
  void a_batch_that_runs_past_its_deadline_completes_and_counts_what_was_answered_after_it() {
    try (TestSystem system = new TestSystem("deadline-run", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      assertThat(api.post("/v1/batch/predict", aBatch().withItems(10).withField("on_deadline", "\"later\"").json())
          .body().get("field").asText()).isEqualTo("/on_deadline");
      String id = api.submit(aBatch().withItems(500).withField("completion_window", "\"2s\"")
          .withField("on_deadline", "\"run\""));
      assertThat(api.get("/v1/batch/" + id + "/status").body().get("on_deadline").asText()).isEqualTo("run");
      // No worker yet: the window passes with every item still queued, and the batch does not expire.
      await().atMost(Duration.ofSeconds(30)).until(() ->
          api.get("/v1/batch/" + id + "/status").body().at("/progress/after_deadline").isNumber());
      assertThat(api.get("/v1/batch/" + id + "/status").body().get("status").asText()).isEqualTo("queued");

      system.startWorker(system.workerSettings("deadline-run-worker"));
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(1))).isCompletedWith(500, 0);
      assertThat(api.get("/v1/batch/" + id + "/status").body().at("/progress/after_deadline").asLong()).isEqualTo(500);
    }
  }
}
