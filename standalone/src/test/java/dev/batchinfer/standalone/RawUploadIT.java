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

  /** Read whole: under 8 MB. */
  private static final int SMALL = 1_500;
  /** Streamed: 8.6 MB, over the 8 MB a raw body may have to be read whole. */
  private static final int LARGE = 11_000;
  private static final int PIXELS = 784;

  @Test
  void small_raw_batches_are_read_whole_large_ones_streamed_and_every_result_matches_the_model() {
    byte[][] small = Inputs.images(SMALL, 7);
    byte[][] large = Inputs.images(LARGE, 8);
    try (TestSystem system = new TestSystem("raw-e2e", Map.of("CHUNK_MAX_ITEMS", "400"))) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("raw-worker"));
      ApiClient api = system.api();

      ApiClient.Answer smallAccepted = postRaw(api, "/v1/batch/predict?model=fashion-mnist&priority=high", concat(small));
      ApiClient.Answer largeAccepted = postRaw(api, "/v1/batch/predict?model=fashion-mnist", concat(large));

      assertThat(smallAccepted.status()).as("%s", smallAccepted.body()).isEqualTo(202);
      assertThat(smallAccepted.body().at("/usage/input_bytes").asLong()).isEqualTo((long) SMALL * PIXELS);
      assertThat(largeAccepted.status()).as("%s", largeAccepted.body()).isEqualTo(202);
      assertThat(largeAccepted.body().at("/usage/items").asLong()).isEqualTo(LARGE);
      String smallId = smallAccepted.body().get("batch_id").asText();
      String largeId = largeAccepted.body().get("batch_id").asText();
      for (String id : new String[] {smallId, largeId}) {
        await().atMost(Duration.ofMinutes(3)).until(() ->
            api.get("/v1/batch/" + id + "/status").body().get("status").asText().equals("completed"));
      }
      JsonNode status = api.get("/v1/batch/" + smallId + "/status").body();
      assertThat(status.at("/progress/completed").asLong()).isEqualTo(SMALL);
      assertThat(status.get("priority").asText()).isEqualTo("high");
      assertThat(api.get("/v1/batch/" + largeId + "/status").body().at("/progress/completed").asLong()).isEqualTo(LARGE);

      Path model = Path.of("../model-artifacts/fashion-mnist/" + status.get("model_version").asText());
      float[][] expected = DirectModel.predict(model, small);
      String[] lines = api.getNdjson("/v1/batch/" + smallId + "/results").body().split("\n");
      assertThat(lines).hasSize(SMALL);
      for (int i = 0; i < SMALL; i++) {
        JsonNode line = read(lines[i]);
        assertThat(line.get("index").asInt()).isEqualTo(i);
        assertThat(line.at("/result/class_id").asInt()).as("item %d", i).isEqualTo(DirectModel.argMax(expected[i]));
      }
      int[] sample = {0, 1, 399, 400, 5_555, LARGE - 1};
      float[][] sampled = DirectModel.predict(model, Arrays.stream(sample).mapToObj(i -> large[i]).toArray(byte[][]::new));
      for (int k = 0; k < sample.length; k++) {
        JsonNode item = api.get("/v1/batch/" + largeId + "/results?offset=" + sample[k] + "&limit=1").body()
            .at("/results/0");
        assertThat(item.get("index").asInt()).isEqualTo(sample[k]);
        assertThat(item.at("/result/class_id").asInt()).as("item %d", sample[k]).isEqualTo(DirectModel.argMax(sampled[k]));
      }
    }
  }

  @Test
  void a_body_that_is_not_whole_images_is_a_problem_naming_the_input_and_queues_nothing() {
    try (TestSystem system = new TestSystem("raw-bad", Map.of("CHUNK_MAX_ITEMS", "100")).withApi()) {
      ApiClient api = system.api();
      // Read whole (small), and streamed (large: chunks go out inside the transaction, which is aborted).
      for (int images : new int[] {300, LARGE}) {
        byte[] body = Arrays.copyOf(concat(Inputs.images(images, 8)), images * PIXELS - 10);

        ApiClient.Answer answer = postRaw(api, "/v1/batch/predict?model=fashion-mnist", body);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("item").asInt()).isEqualTo(images - 1);
        assertThat(answer.body().get("detail").asText()).contains("774 bytes of input " + (images - 1))
            .contains("784 bytes each");
      }
      // The streamed upload's chunks were written, then aborted: once the abort markers are in,
      // a read_committed reader sees none of them.
      long written = 0;
      for (Priority p : Priority.values()) {
        written += TopicReader.settledEndOffsetTotal(system.topics.requests(p).name());
      }
      assertThat(written).isPositive();
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
