package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.client.Batch;
import dev.batchinfer.client.BatchApiException;
import dev.batchinfer.client.BatchClient;
import dev.batchinfer.client.SubmitOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against the real system: submits of both kinds, the wait, paged results, the refusals. */
class ClientIT {

  @Test
  void a_json_and_an_ndjson_batch_complete_and_their_results_page_in_input_order(@TempDir Path dir) throws Exception {
    byte[][] images = Inputs.images(2_500, 7);
    try (TestSystem system = new TestSystem("client", Map.of())) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("client-worker"));
      BatchClient client = BatchClient.create("http://127.0.0.1:" + system.apiPort(), ApiClient.KEY_A);

      List<Map<String, String>> inputs = new ArrayList<>();
      for (byte[] image : images) {
        inputs.add(Map.of("pixels", Base64.getEncoder().encodeToString(image)));
      }
      Batch json = client.submit(SubmitOptions.model("fashion-mnist").priority("high"), inputs);
      assertThat(json.status()).isEqualTo("queued");

      Path file = dir.resolve("batch.ndjson");
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 1_200; i++) {
        lines.append("{\"custom_id\":\"doc-").append(i).append("\",\"input\":{\"pixels\":\"")
            .append(Base64.getEncoder().encodeToString(images[i])).append("\"}}\n");
      }
      Files.writeString(file, lines);
      Batch ndjson = client.submitNdjson(SubmitOptions.model("fashion-mnist"), dev.batchinfer.client.Upload.of(file));

      assertThat(client.awaitFinal(json.id(), Duration.ofMinutes(3)).status()).isEqualTo("completed");
      Batch done = client.awaitFinal(ndjson.id(), Duration.ofMinutes(3));
      assertThat(done.status()).isEqualTo("completed");
      assertThat(done.completed()).isEqualTo(1_200);

      // 2,500 results come in three pages of the client's 1,000; they equal the API's NDJSON stream line for line.
      List<JsonNode> paged;
      try (Stream<JsonNode> results = client.results(json.id())) {
        paged = results.toList();
      }
      String[] streamed = system.api().getNdjson("/v1/batch/" + json.id() + "/results").body().split("\n");
      assertThat(paged).hasSize(2_500);
      for (int i = 0; i < paged.size(); i++) {
        assertThat(paged.get(i)).isEqualTo(ApiClient.JSON.readTree(streamed[i]));
      }
      try (Stream<JsonNode> results = client.results(ndjson.id())) {
        assertThat(results.map(r -> r.get("custom_id").asText()).limit(3).toList()).containsExactly("doc-0", "doc-1", "doc-2");
      }
    }
  }

  @Test
  void refusals_are_typed_and_name_what_to_fix() {
    try (TestSystem system = new TestSystem("client-refusals", Map.of())) {
      system.withApi();
      BatchClient client = BatchClient.create("http://127.0.0.1:" + system.apiPort(), ApiClient.KEY_A);
      assertThatThrownBy(() -> client.submit(SubmitOptions.model("no-such-model"), List.of(Map.of("pixels", "AA=="))))
          .isInstanceOfSatisfying(BatchApiException.class, e -> {
            assertThat(e.status()).isIn(400, 404, 422);
            assertThat(e.problem().get("detail").asText()).contains("no-such-model");
          });
      String image = Base64.getEncoder().encodeToString(Inputs.images(1, 3)[0]);
      assertThatThrownBy(() -> client.submit(SubmitOptions.model("fashion-mnist"), List.of(Map.of("pixels", "AA=="))))
          .isInstanceOfSatisfying(BatchApiException.Invalid.class, e -> assertThat(e.field()).contains("/inputs/0/pixels"));
      assertThatThrownBy(() -> client.submit(SubmitOptions.model("fashion-mnist").with("prioirty", "high"),
          List.of(Map.of("pixels", image)))).isInstanceOfSatisfying(BatchApiException.Invalid.class,
              e -> assertThat(e.field().orElseThrow()).contains("prioirty"));
      assertThatThrownBy(() -> client.status("00000000-0000-0000-0000-000000000000"))
          .isInstanceOf(BatchApiException.NotFound.class);
      BatchClient stranger = BatchClient.create("http://127.0.0.1:" + system.apiPort(), "not-a-key");
      assertThatThrownBy(() -> stranger.status("00000000-0000-0000-0000-000000000000"))
          .isInstanceOf(BatchApiException.Unauthorized.class);
    }
  }
}
