package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.client.Appends;
import dev.batchinfer.client.Batch;
import dev.batchinfer.client.BatchApiException;
import dev.batchinfer.client.BatchClient;
import dev.batchinfer.client.SubmitOptions;
import dev.batchinfer.client.Upload;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Open batches through the real broker, worker, progress topology, dispatcher and Redis, driven by the Java client:
 * appends in JSON, NDJSON and raw run as they arrive, a repeated append adds nothing, custom ids stay unique across
 * appends, and the batch completes (one completion webhook) only after its finalize, with every item once.
 */
class AppendIT {

  private static final int JSON_ITEMS = 300;
  private static final int REPEATED = 100;
  private static final int NDJSON_ITEMS = 300;
  private static final int RAW_ITEMS = 200;
  private static final int TOTAL = JSON_ITEMS + REPEATED + NDJSON_ITEMS + RAW_ITEMS;

  @Test
  void appends_in_json_ndjson_and_raw_run_at_once_and_the_batch_completes_once_after_its_finalize() throws Exception {
    byte[][] images = Inputs.images(TOTAL, 11);
    try (WebhookReceiver receiver = new WebhookReceiver();
        TestSystem system = new TestSystem("append", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withDispatcher().withApi();
      system.startWorker(system.workerSettings("append-worker"));
      BatchClient client = BatchClient.create("http://127.0.0.1:" + system.apiPort(), ApiClient.KEY_A);
      ApiClient api = system.api();

      Batch open = client.submit(SubmitOptions.model("fashion-mnist").open().callbackUrl(receiver.url()), List.of());
      String id = open.id();
      assertThat(open.raw().get("open").asBoolean()).isTrue();
      assertThat(open.total()).isZero();

      Appends.Appended json = client.appends().append(id, inputs(images, 0, JSON_ITEMS));
      assertThat(json.firstIndex()).isZero();
      assertThat(json.total()).isEqualTo(JSON_ITEMS);

      // One append sent twice with its Idempotency-Key (a client's retry): the second adds nothing.
      String repeated = "{\"inputs\":" + ApiClient.JSON.writeValueAsString(inputs(images, JSON_ITEMS, REPEATED)) + "}";
      ApiClient.Answer first = api.postWithHeader("/v1/batch/" + id + "/items", repeated, "Idempotency-Key", "append-2");
      ApiClient.Answer again = api.postWithHeader("/v1/batch/" + id + "/items", repeated, "Idempotency-Key", "append-2");
      assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
      assertThat(again.body()).isEqualTo(first.body());

      StringBuilder lines = new StringBuilder();
      int from = JSON_ITEMS + REPEATED;
      for (int i = from; i < from + NDJSON_ITEMS; i++) {
        lines.append("{\"custom_id\":\"doc-").append(i).append("\",\"input\":{\"pixels\":\"")
            .append(Base64.getEncoder().encodeToString(images[i])).append("\"}}\n");
      }
      Appends.Appended ndjson = client.appends().appendNdjson(id, upload(lines.toString().getBytes(StandardCharsets.UTF_8)));
      assertThat(ndjson.firstIndex()).isEqualTo(from);

      // A custom id already in the batch (from the append before): refused whole, nothing added.
      String clash = "{\"custom_id\":\"doc-" + from + "\",\"input\":{\"pixels\":\""
          + Base64.getEncoder().encodeToString(images[0]) + "\"}}\n";
      ApiClient.Answer taken = api.postNdjson("/v1/batch/" + id + "/items", clash);
      assertThat(taken.status()).isEqualTo(409);
      assertThat(taken.body().get("type").asText()).endsWith("custom-id-taken");

      from += NDJSON_ITEMS;
      byte[] raw = new byte[RAW_ITEMS * 784];
      for (int i = 0; i < RAW_ITEMS; i++) {
        System.arraycopy(images[from + i], 0, raw, i * 784, 784);
      }
      Appends.Appended rawAppend = client.appends().appendRaw(id, upload(raw));
      assertThat(rawAppend.firstIndex()).isEqualTo(from);
      assertThat(rawAppend.total()).isEqualTo(TOTAL);

      // The items run as they are appended; the batch waits for its finalize to end.
      await().atMost(Duration.ofMinutes(2)).until(() -> client.status(id).completed() == TOTAL);
      Batch before = client.status(id);
      assertThat(before.status()).isEqualTo("processing");
      assertThat(before.raw().path("progress").path("finalized").asBoolean()).isFalse();
      assertThat(completions(receiver)).as("no completion webhook before the finalize").isZero();

      JsonNode finalized = client.appends().finalizeBatch(id);
      assertThat(finalized.get("total").asLong()).isEqualTo(TOTAL);
      Batch done = client.awaitFinal(id, Duration.ofMinutes(1));
      assertThat(done.status()).isEqualTo("completed");
      assertThat(done.completed()).isEqualTo(TOTAL);
      assertThat(done.raw().path("progress").path("finalized").asBoolean()).isTrue();
      assertThat(client.appends().finalizeBatch(id).get("total").asLong()).as("a second finalize").isEqualTo(TOTAL);

      int[] seen = new int[TOTAL];
      try (Stream<JsonNode> results = client.results(id)) {
        results.forEach(r -> {
          assertThat(r.has("result")).as(r.toString()).isTrue();
          seen[r.get("index").asInt()]++;
          if (r.has("custom_id")) {
            assertThat(r.get("custom_id").asText()).isEqualTo("doc-" + r.get("index").asInt());
          }
        });
      }
      assertThat(seen).as("every item once").containsOnly(1);

      BatchApiException late = org.assertj.core.api.Assertions.catchThrowableOfType(
          () -> client.appends().append(id, inputs(images, 0, 1)), BatchApiException.class);
      assertThat(late.status()).isEqualTo(409);
      assertThat(late.type()).endsWith("finalized");

      await().atMost(Duration.ofSeconds(30)).until(() -> completions(receiver) == 1);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> completions(receiver) == 1);
    }
  }

  @Test
  void an_open_batch_cancelled_ends_cancelled_and_takes_no_more_appends() throws Exception {
    byte[][] images = Inputs.images(50, 12);
    try (TestSystem system = new TestSystem("append-cancel", Map.of())) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("append-cancel-worker"));
      BatchClient client = BatchClient.create("http://127.0.0.1:" + system.apiPort(), ApiClient.KEY_A);
      String id = client.submit(SubmitOptions.model("fashion-mnist").open(), inputs(images, 0, 50)).id();
      await().atMost(Duration.ofMinutes(1)).until(() -> client.status(id).completed() == 50);

      client.cancel(id); // its status follows once the topology has the cancel and the seal
      await().atMost(Duration.ofSeconds(30)).until(() -> client.status(id).status().equals("cancelled"));
      ApiClient.Answer after = system.api().post("/v1/batch/" + id + "/items",
          "{\"inputs\":" + ApiClient.JSON.writeValueAsString(inputs(images, 0, 1)) + "}");
      assertThat(after.status()).isEqualTo(409);
      assertThat(after.body().get("type").asText()).endsWith("cancelled");

      String closed = client.submit(SubmitOptions.model("fashion-mnist"), inputs(images, 0, 5)).id();
      ApiClient.Answer notOpen = system.api().post("/v1/batch/" + closed + "/items",
          "{\"inputs\":" + ApiClient.JSON.writeValueAsString(inputs(images, 0, 1)) + "}");
      assertThat(notOpen.status()).isEqualTo(409);
      assertThat(notOpen.body().get("type").asText()).endsWith("not-open");
    }
  }

  private static List<Map<String, String>> inputs(byte[][] images, int from, int count) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(Map.of("pixels", Base64.getEncoder().encodeToString(images[i])));
    }
    return out;
  }

  private static Upload upload(byte[] body) {
    return Upload.opening(() -> new ByteArrayInputStream(body));
  }

  private static long completions(WebhookReceiver receiver) {
    return receiver.received().stream().filter(r -> String.valueOf(r.header("webhook-id")).endsWith(":batch.completed"))
        .count();
  }
}
