package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import static dev.batchinfer.api.testing.BatchRequest.aBatch;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.callback.sign.WebhookSigner;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A batch from POST to webhook through the real broker, worker, SavedModel, Streams and Redis. */
class EndToEndIT {

  private static final int ITEMS = 2_400;

  @Test
  void every_result_matches_the_model_progress_ends_at_the_total_and_one_webhook_arrives() throws Exception {
    byte[][] images = Inputs.images(ITEMS, 42);
    try (WebhookReceiver receiver = new WebhookReceiver();
        TestSystem system = new TestSystem("e2e", Map.of("CHUNK_MAX_ITEMS", "300"))) {
      system.withResultStore().withDispatcher().withApi();
      system.startWorker(system.workerSettings("e2e-worker"));
      ApiClient api = system.api();

      String id = api.submit(aBatch().withImages(images).withCallback(receiver.url())
          .withField("metadata", "{\"run\":\"e2e\"}"));

      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(2))).isCompletedWith(ITEMS, 0);
      JsonNode status = api.batch(id).body();
      assertThat(status.get("model_version").asText()).isEqualTo("2.0.0");
      assertThat(status.get("completed_at").asText()).isNotEmpty();

      String[] lines = api.getNdjson("/v1/batch/" + id + "/results").body().split("\n");
      assertThat(lines).hasSize(ITEMS);
      // The batch was pinned to the registry's production version; call that SavedModel directly.
      float[][] expected = DirectModel.predict(Path.of("../model-artifacts/fashion-mnist/" + status.get("model_version").asText()), images);
      List<String> labels = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
          "Bag", "Ankle boot");
      for (int i = 0; i < ITEMS; i++) {
        JsonNode line = ApiClient.JSON.readTree(lines[i]);
        assertThat(line.get("index").asInt()).isEqualTo(i);
        int best = DirectModel.argMax(expected[i]);
        JsonNode result = line.get("result");
        assertThat(result.get("class_id").asInt()).as("item %d", i).isEqualTo(best);
        assertThat(result.get("label").asText()).isEqualTo(labels.get(best));
        // Batched and single-item matrix products may round the last bits differently.
        assertThat(result.get("score").floatValue()).as("item %d", i).isCloseTo(expected[i][best], within(1e-5f));
        assertThat(result.get("model_version").asText()).isEqualTo("2.0.0");
        assertThat(result.get("top_k")).hasSize(3);
      }

      JsonNode page = api.get("/v1/batch/" + id + "/results?offset=1199&limit=3").body();
      assertThat(page.get("results")).extracting(n -> n.get("index").asInt()).containsExactly(1199, 1200, 1201);
      assertThat(page.get("next_offset").asLong()).isEqualTo(1202);

      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 1);
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 1);
      WebhookReceiver.Received hook = receiver.received().get(0);
      JsonNode body = ApiClient.JSON.readTree(hook.body());
      assertThat(body.get("type").asText()).isEqualTo("batch.completed");
      assertThat(body.at("/data/batch_id").asText()).isEqualTo(id);
      assertThat(body.at("/data/progress/completed").asLong()).isEqualTo(ITEMS);
      assertThat(body.at("/data/metadata/run").asText()).isEqualTo("e2e");
      assertThat(body.at("/data/links/results").asText()).endsWith("/v1/batch/" + id + "/results");
      assertThat(hook.header("webhook-id")).isEqualTo(id + ":batch.completed");
      assertThat(hook.body().length()).isLessThan(20_000);
      assertThat(new WebhookSigner(List.of(TestSystem.SECRET)).verify(hook.header("webhook-id"),
          Long.parseLong(hook.header("webhook-timestamp")), hook.body(), hook.header("webhook-signature"),
          Instant.now(), Duration.ofMinutes(5))).isTrue();

      JsonNode callbacks = api.get("/v1/batch/" + id + "/callbacks").body();
      assertThat(callbacks.at("/deliveries/0/status").asText()).isEqualTo("delivered");
      assertThat(callbacks.at("/deliveries/0/webhook_id").asText()).isEqualTo(id + ":batch.completed");
      assertThat(callbacks.get("attempts")).singleElement().satisfies(a -> assertThat(a.get("status_code").asInt()).isEqualTo(200));

      assertThat(api.post("/v1/batch/" + id + "/callbacks/redeliver", "").status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 2);
      assertThat(receiver.received().get(1).header("webhook-id")).isEqualTo(id + ":batch.completed");
    }
  }

  @Test
  void text_goes_through_the_same_pipeline_to_the_language_model() {
    Map<String, String> sentences = Map.of(
        "de", "Die Datei konnte nicht geöffnet werden, weil der Zugriff verweigert wurde.",
        "fr", "Impossible d'ouvrir le fichier car l'accès a été refusé par le système.",
        "es", "No se pudo abrir el archivo porque el acceso fue denegado por el sistema.",
        "en", "The file could not be opened because access was denied by the system.");
    List<String> order = List.of("de", "fr", "es", "en");
    StringBuilder body = new StringBuilder("{\"model\":\"language-id\",\"inputs\":[");
    for (int i = 0; i < order.size(); i++) {
      body.append(i > 0 ? "," : "").append("{\"text\":\"").append(sentences.get(order.get(i)).replace("\"", "\\\"")).append("\"}");
    }
    body.append("]}");
    try (TestSystem system = new TestSystem("e2e-text", Map.of())) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("text-worker"));
      ApiClient api = system.api();
      ApiClient.Answer accepted = api.post("/v1/batch/predict", body.toString());
      assertThat(accepted.status()).isEqualTo(202);
      String id = accepted.body().get("batch_id").asText();
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(1))).isCompletedWith(order.size(), 0);
      JsonNode results = api.get("/v1/batch/" + id + "/results").body().get("results");
      for (int i = 0; i < order.size(); i++) {
        assertThat(results.get(i).at("/result/label").asText()).as(order.get(i)).isEqualTo(order.get(i));
      }
      assertThat(api.get("/v1/models/language-id").body().at("/versions/0/metadata/supported_languages"))
          .hasSizeGreaterThanOrEqualTo(10);
    }
  }
}
