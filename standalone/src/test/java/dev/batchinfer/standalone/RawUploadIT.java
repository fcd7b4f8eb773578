package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.topics.message.Priority;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Raw uploads (application/octet-stream): inputs end to end in their wire form, through the real system. */
class RawUploadIT {

  private static final int ITEMS = 1_500;
  private static final int PIXELS = 784;

  @Test
  void raw_images_are_accepted_and_every_result_matches_the_model_called_directly() {
    byte[][] images = Inputs.images(ITEMS, 7);
    try (TestSystem system = new TestSystem("raw-e2e", Map.of("CHUNK_MAX_ITEMS", "400"))) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("raw-worker"));
      ApiClient api = system.api();

      ApiClient.Answer accepted = postRaw(api, "/v1/batch/predict?model=fashion-mnist&priority=high", concat(images));

      assertThat(accepted.status()).as("%s", accepted.body()).isEqualTo(202);
      assertThat(accepted.body().at("/usage/items").asLong()).isEqualTo(ITEMS);
      assertThat(accepted.body().at("/usage/input_bytes").asLong()).isEqualTo((long) ITEMS * PIXELS);
      String id = accepted.body().get("batch_id").asText();
      await().atMost(Duration.ofMinutes(2)).until(() ->
          api.get("/v1/batch/" + id + "/status").body().get("status").asText().equals("completed"));
      JsonNode status = api.get("/v1/batch/" + id + "/status").body();
      assertThat(status.at("/progress/completed").asLong()).isEqualTo(ITEMS);
      assertThat(status.get("priority").asText()).isEqualTo("high");

      float[][] expected = DirectModel.predict(
          Path.of("../model-artifacts/fashion-mnist/" + status.get("model_version").asText()), images);
      String[] lines = api.getNdjson("/v1/batch/" + id + "/results").body().split("\n");
      assertThat(lines).hasSize(ITEMS);
      for (int i = 0; i < ITEMS; i++) {
        JsonNode line = read(lines[i]);
        assertThat(line.get("index").asInt()).isEqualTo(i);
        assertThat(line.at("/result/class_id").asInt()).as("item %d", i).isEqualTo(DirectModel.argMax(expected[i]));
      }
    }
  }

  @Test
  void a_body_that_is_not_whole_images_is_a_problem_naming_the_input_and_queues_nothing() {
    try (TestSystem system = new TestSystem("raw-bad", Map.of("CHUNK_MAX_ITEMS", "100")).withApi()) {
      ApiClient api = system.api();
      byte[] body = Arrays.copyOf(concat(Inputs.images(300, 8)), 300 * PIXELS - 10);

      ApiClient.Answer answer = postRaw(api, "/v1/batch/predict?model=fashion-mnist", body);

      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.contentType()).startsWith("application/problem+json");
      assertThat(answer.body().get("item").asInt()).isEqualTo(299);
      assertThat(answer.body().get("detail").asText()).contains("774 bytes of input 299").contains("784 bytes each");
      // Chunks of the first 200 images went out inside the transaction; it was aborted, so none is readable.
      for (Priority p : Priority.values()) {
        assertThat(TopicReader.readAll(system.topics.requests(p).name(), true)).isEmpty();
      }
    }
  }

  @Test
  void a_raw_dry_run_counts_inputs_and_chunks_and_a_text_model_refuses_raw_bodies() {
    try (TestSystem system = new TestSystem("raw-dry", Map.of("CHUNK_MAX_ITEMS", "100")).withApi()) {
      ApiClient api = system.api();

      ApiClient.Answer dry = postRaw(api, "/v1/batch/predict?model=fashion-mnist&dry_run=true",
          concat(Inputs.images(250, 9)));
      assertThat(dry.status()).isEqualTo(200);
      assertThat(dry.body().get("items").asInt()).isEqualTo(250);
      assertThat(dry.body().get("chunks").asInt()).isEqualTo(3);
      assertThat(dry.body().get("input_bytes").asInt()).isEqualTo(250 * PIXELS);

      ApiClient.Answer text = postRaw(api, "/v1/batch/predict?model=language-id", "bonjour".getBytes());
      assertThat(text.status()).isEqualTo(415);
      assertThat(text.body().get("field").asText()).isEqualTo("Content-Type");
    }
  }

  private static ApiClient.Answer postRaw(ApiClient api, String path, byte[] body) {
    return api.exchange(path, r -> r.header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private static byte[] concat(byte[][] images) {
    byte[] out = new byte[images.length * PIXELS];
    for (int i = 0; i < images.length; i++) {
      System.arraycopy(images[i], 0, out, i * PIXELS, PIXELS);
    }
    return out;
  }

  private static JsonNode read(String line) {
    try {
      return ApiClient.JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
