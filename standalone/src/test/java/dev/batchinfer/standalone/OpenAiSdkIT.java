package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.client.BatchClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's own Java SDK, unmodified, against {@code /openai/v1}: only its base URL and key are set. Upload, create,
 * poll to completed, download the output and error files, cancel another batch, list; the batch is a native one.
 */
class OpenAiSdkIT {

  private static final String ENDPOINT = "/v1/models/fashion-mnist/predict";

  @Test
  void a_jsonl_batch_goes_through_the_openai_sdk_end_to_end(@TempDir Path dir) throws Exception {
    byte[][] images = Inputs.images(400, 11);
    try (TestSystem system = new TestSystem("openai-sdk", Map.of())) {
      system.withResultStore().withApi();
      OpenAIClient openai = OpenAIOkHttpClient.builder()
          .baseUrl("http://127.0.0.1:" + system.apiPort() + "/openai/v1").apiKey(ApiClient.KEY_A)
          .timeout(Duration.ofMinutes(2)).build();

      // 300 requests of one input, one of three inputs, two whose bodies the model cannot take.
      StringBuilder main = new StringBuilder();
      for (int i = 0; i < 300; i++) {
        main.append(request("req-" + i, "[" + pixels(images[i]) + "]")).append('\n');
      }
      main.append(request("three", "[" + pixels(images[300]) + "," + pixels(images[301]) + "," + pixels(images[302]) + "]"))
          .append('\n');
      main.append(request("bad-shape", "[{\"pixels\":\"AAAA\"}]")).append('\n');
      main.append(request("no-inputs", "null").replace("\"inputs\":null", "\"prompt\":\"hi\"")).append('\n');
      FileObject input = upload(openai, dir, "main.jsonl", main.toString());
      assertThat(input.purpose().asString()).isEqualTo("batch");
      assertThat(input.bytes()).isEqualTo(main.toString().getBytes(StandardCharsets.UTF_8).length);
      assertThat(openai.files().retrieve(input.id()).filename()).isEqualTo("main.jsonl");

      // Another batch, created while no worker runs, is cancelled before any of it ran.
      StringBuilder later = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        later.append(request("later-" + i, "[" + pixels(images[i]) + "]")).append('\n');
      }
      FileObject laterInput = upload(openai, dir, "later.jsonl", later.toString());
      Batch toCancel = openai.batches().create(create(laterInput.id()));
      assertThat(toCancel.status()).isEqualTo(Batch.Status.IN_PROGRESS);
      Batch cancelling = openai.batches().cancel(toCancel.id());
      assertThat(cancelling.status().asString()).isIn("cancelling", "cancelled");
      assertThat(cancelling.cancellingAt()).isPresent();

      Batch created = openai.batches().create(create(input.id()));
      assertThat(created.status()).isEqualTo(Batch.Status.IN_PROGRESS);
      assertThat(created.endpoint()).isEqualTo(ENDPOINT);
      assertThat(created.inputFileId()).isEqualTo(input.id());
      system.startWorker(system.workerSettings("openai-worker"));

      Batch done = awaitStatus(openai, created.id(), "completed");
      assertThat(done.requestCounts().orElseThrow().total()).isEqualTo(303);
      assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(301);
      assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(2);
      assertThat(done.completedAt()).isPresent();
      assertThat(done.metadata().orElseThrow()._additionalProperties().get("job")).isEqualTo(JsonValue.from("sdk-test"));

      List<JsonNode> output = lines(openai, done.outputFileId().orElseThrow());
      assertThat(output).hasSize(301);
      Set<String> ids = new HashSet<>();
      for (JsonNode line : output) {
        ids.add(line.get("custom_id").asText());
        assertThat(line.get("id").asText()).startsWith("batch_req_");
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(200);
        assertThat(line.get("error").isNull()).isTrue();
        int expected = line.get("custom_id").asText().equals("three") ? 3 : 1;
        assertThat(line.at("/response/body/results")).hasSize(expected);
        assertThat(line.at("/response/body/results/0/label").asText()).isNotEmpty();
      }
      assertThat(ids).hasSize(301).contains("req-0", "req-299", "three");
      assertThat(openai.files().retrieve(done.outputFileId().orElseThrow()).bytes())
          .isEqualTo(content(openai, done.outputFileId().orElseThrow()).length);

      List<JsonNode> errors = lines(openai, done.errorFileId().orElseThrow());
      assertThat(errors).extracting(l -> l.get("custom_id").asText()).containsExactlyInAnyOrder("bad-shape", "no-inputs");
      for (JsonNode line : errors) {
        assertThat(line.at("/response/status_code").asInt()).isEqualTo(400);
        assertThat(line.at("/response/body/error/message").asText()).isNotEmpty();
      }

      // The same batch through the native routes.
      BatchClient nativeClient = BatchClient.create("http://127.0.0.1:" + system.apiPort(), ApiClient.KEY_A);
      String nativeId = done.id().substring("batch_".length());
      dev.batchinfer.client.Batch seen = nativeClient.status(nativeId);
      assertThat(seen.status()).isEqualTo("completed");
      assertThat(seen.completed()).isEqualTo(303);

      Batch cancelled = awaitStatus(openai, toCancel.id(), "cancelled");
      assertThat(cancelled.cancelledAt()).isPresent();
      List<JsonNode> notRun = lines(openai, cancelled.errorFileId().orElseThrow());
      assertThat(notRun).hasSize(50);
      assertThat(notRun).allSatisfy(l -> assertThat(l.at("/error/code").asText()).isEqualTo("batch_cancelled"));

      List<String> listed = new ArrayList<>();
      openai.batches().list().autoPager().forEach(b -> listed.add(b.id()));
      assertThat(listed).containsExactly(created.id(), toCancel.id()); // newest first
      List<String> files = new ArrayList<>();
      openai.files().list().autoPager().forEach(f -> files.add(f.id()));
      assertThat(files).contains(input.id(), laterInput.id());

      openai.files().delete(laterInput.id());
      assertThatThrownBy(() -> openai.files().retrieve(laterInput.id())).isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void a_file_that_fails_validation_fails_its_batch_with_the_lines_named(@TempDir Path dir) throws Exception {
    try (TestSystem system = new TestSystem("openai-invalid", Map.of("OPENAI_MAX_FILE_MB", "1"))) {
      system.withApi();
      OpenAIClient openai = OpenAIOkHttpClient.builder()
          .baseUrl("http://127.0.0.1:" + system.apiPort() + "/openai/v1").apiKey(ApiClient.KEY_A).build();
      String text = request("a", "[1]") + "\n" + request("a", "[1]") + "\n"
          + request("c", "[1]").replace(ENDPOINT, "/v1/models/other/predict") + "\n";
      FileObject input = upload(openai, dir, "bad.jsonl", text);
      Batch b = openai.batches().create(create(input.id()));
      assertThat(b.status()).isEqualTo(Batch.Status.FAILED);
      assertThat(b.failedAt()).isPresent();
      var data = b.errors().orElseThrow().data().orElseThrow();
      assertThat(data).extracting(e -> e.code().orElseThrow()).containsExactly("duplicate_custom_id", "mismatched_endpoint");
      assertThat(data).extracting(e -> e.line().orElseThrow()).containsExactly(2L, 3L);
      assertThat(b.outputFileId()).isEmpty();
      // Over OPENAI_MAX_FILE_MB: 413, and nothing is listed.
      String big = (request("x", "[1]") + "\n").repeat(30_000);
      assertThatThrownBy(() -> upload(openai, dir, "big.jsonl", big)).isInstanceOfSatisfying(
          com.openai.errors.OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(413));
      List<String> files = new ArrayList<>();
      openai.files().list().autoPager().forEach(f -> files.add(f.id()));
      assertThat(files).containsExactly(input.id());
      // Another tenant sees neither the file nor the batch.
      OpenAIClient other = OpenAIOkHttpClient.builder()
          .baseUrl("http://127.0.0.1:" + system.apiPort() + "/openai/v1").apiKey(ApiClient.KEY_B).build();
      assertThatThrownBy(() -> other.batches().retrieve(b.id())).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> other.files().retrieve(input.id())).isInstanceOf(NotFoundException.class);
    }
  }

  private static BatchCreateParams create(String fileId) {
    return BatchCreateParams.builder().inputFileId(fileId).endpoint(BatchCreateParams.Endpoint.of(ENDPOINT))
        .completionWindow(BatchCreateParams.CompletionWindow._24H)
        .metadata(BatchCreateParams.Metadata.builder().putAdditionalProperty("job", JsonValue.from("sdk-test")).build())
        .build();
  }

  private static FileObject upload(OpenAIClient openai, Path dir, String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return openai.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build());
  }

  private static String request(String customId, String inputs) {
    return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"" + ENDPOINT
        + "\",\"body\":{\"inputs\":" + inputs + "}}";
  }

  private static String pixels(byte[] image) {
    return "{\"pixels\":\"" + Base64.getEncoder().encodeToString(image) + "\"}";
  }

  private static Batch awaitStatus(OpenAIClient openai, String id, String status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Batch b = openai.batches().retrieve(id);
    while (!b.status().asString().equals(status) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      b = openai.batches().retrieve(id);
    }
    assertThat(b.status().asString()).isEqualTo(status);
    return b;
  }

  private static byte[] content(OpenAIClient openai, String fileId) throws Exception {
    try (HttpResponse r = openai.files().content(fileId); InputStream in = r.body()) {
      return in.readAllBytes();
    }
  }

  private static List<JsonNode> lines(OpenAIClient openai, String fileId) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : new String(content(openai, fileId), StandardCharsets.UTF_8).split("\n")) {
      if (!l.isBlank()) {
        out.add(ApiClient.JSON.readTree(l));
      }
    }
    return out;
  }
}
