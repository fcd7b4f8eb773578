package dev.batchinfer.standalone;

import dev.batchinfer.topics.message.ProgressEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.embedded.testing.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Items cancelled one by one, and retries of whatever ended without a result, merged back. */
class RetryIT {

  private static final int ITEMS = 1_000;

  @Test
  void cancelled_items_end_cancelled_the_rest_completes_and_a_retry_runs_exactly_those_merged_back() throws Exception {
    try (TestSystem system = new TestSystem("retry-cancel", Map.of("CHUNK_MAX_ITEMS", "50"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      String id = api.postNdjson("/v1/batch/predict?model=language-id", NdjsonLines.text(ITEMS, 60))
          .body().get("batch_id").asText();

      // No worker yet: nothing has run when the items are cancelled.
      ApiClient.Answer cancel = api.post("/v1/batch/" + id + "/cancel",
          "{\"custom_ids\":[\"row-3\",\"row-500\",\"row-999\",\"row-3\",\"no-such-row\"]}");
      assertThat(cancel.status()).isEqualTo(202);
      assertThat(texts(cancel.body().get("cancel_requested"))).containsExactly("row-3", "row-500", "row-999");
      assertThat(texts(cancel.body().get("unknown"))).containsExactly("no-such-row");
      assertThat(api.post("/v1/batch/" + id + "/retry", "").status()).as("not final yet").isEqualTo(409);

      system.startWorker(system.workerSettings("retry-worker"));
      await().atMost(Duration.ofMinutes(1)).until(() -> status(api, id).get("status").asText().equals("completed"));
      JsonNode progress = status(api, id).get("progress");
      assertThat(progress.get("completed").asLong()).isEqualTo(ITEMS - 3);
      assertThat(progress.get("cancelled").asLong()).isEqualTo(3);
      assertThat(progress.get("failed").asLong()).isZero();
      Map<Long, JsonNode> lines = lines(api, "/v1/batch/" + id + "/results");
      assertThat(lines).hasSize(ITEMS);
      for (long i = 0; i < ITEMS; i++) {
        JsonNode line = lines.get(i);
        assertThat(line.get("custom_id").asText()).isEqualTo("row-" + i);
        boolean named = i == 3 || i == 500 || i == 999;
        assertThat(line.at("/error/code").asText()).as("item %d", i).isEqualTo(named ? "cancelled" : "");
        assertThat(line.has("result")).isEqualTo(!named);
      }
      assertThat(api.post("/v1/batch/" + id + "/cancel", "{\"custom_ids\":[\"row-1\"]}").status()).isEqualTo(409);

      ApiClient.Answer retry = api.post("/v1/batch/" + id + "/retry", "");
      assertThat(retry.status()).as("%s", retry.body()).isEqualTo(202);
      assertThat(retry.body().get("retried_items").asLong()).isEqualTo(3);
      assertThat(retry.body().get("parent_batch_id").asText()).isEqualTo(id);
      String child = retry.body().get("batch_id").asText();
      assertThat(texts(status(api, id).get("retries"))).containsExactly(child);
      await().atMost(Duration.ofMinutes(1)).until(() -> status(api, child).get("status").asText().equals("completed"));

      Map<Long, JsonNode> childLines = lines(api, "/v1/batch/" + child + "/results");
      assertThat(childLines.values()).extracting(l -> l.get("parent_index").asLong()).containsExactly(3L, 500L, 999L);
      assertThat(childLines.values()).extracting(l -> l.get("custom_id").asText()).containsExactly("row-3", "row-500", "row-999");
      assertMergedComplete(api, id, child, Set.of(3L, 500L, 999L));
      JsonNode page = api.get("/v1/batch/" + id + "/results?merged=true&offset=499&limit=3").body().get("results");
      assertThat(page).extracting(l -> l.get("index").asLong()).containsExactly(499L, 500L, 501L);
      assertThat(page.get(1).get("retried_in").asText()).isEqualTo(child);

      ApiClient.Answer again = api.post("/v1/batch/" + id + "/retry", "");
      assertThat(again.status()).isEqualTo(422);
      assertThat(again.body().get("type").asText()).isEqualTo("/problems/nothing-to-retry");
      ApiClient.Answer ofChild = api.post("/v1/batch/" + child + "/retry", "");
      assertThat(ofChild.status()).isEqualTo(422);
      assertThat(ofChild.body().get("type").asText()).isEqualTo("/problems/retry-of-retry");
      assertThat(ofChild.body().get("detail").asText()).contains(id);
    }
  }

  @Test
  void an_expired_batch_is_retried_once_workers_have_handed_its_chunks_back() throws Exception {
    try (TestSystem system = new TestSystem("retry-expired", Map.of("CHUNK_MAX_ITEMS", "50"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      int items = 300;
      String id = api.postNdjson("/v1/batch/predict?model=language-id&completion_window=2s", NdjsonLines.text(items, 60))
          .body().get("batch_id").asText();
      await().atMost(Duration.ofSeconds(30)).until(() -> status(api, id).get("status").asText().equals("expired"));

      // Its chunks still wait in Kafka, unread: there is no input to retry yet.
      ApiClient.Answer early = api.post("/v1/batch/" + id + "/retry", "");
      assertThat(early.status()).isEqualTo(409);
      assertThat(early.body().get("type").asText()).isEqualTo("/problems/not-yet-retryable");
      assertThat(early.raw().headers().firstValue("Retry-After")).isPresent();

      system.startWorker(system.workerSettings("late-worker"));
      // The worker passes over every chunk (answering "expired" and keeping the inputs). A chunk's
      // done event goes out only once both its results and its kept inputs are in Redis.
      await().atMost(Duration.ofMinutes(1)).until(() -> TopicReader.readAll(system.topics.progress().name(), false).stream()
          .map(r -> system.topics.progress().valueSerde().deserializer().deserialize("", r.value()))
          .filter(d -> d.batchId().equals(id) && d instanceof ProgressEvent.ChunkFinished)
          .mapToInt(d -> ((ProgressEvent.ChunkFinished) d).chunkIndex()).distinct().count() == items / 50);
      assertThat(lines(api, "/v1/batch/" + id + "/results").values()).hasSize(items).allMatch(l -> l.has("custom_id"));
      ApiClient.Answer retry = api.post("/v1/batch/" + id + "/retry", "");
      assertThat(retry.status()).as("%s", retry.body()).isEqualTo(202);
      assertThat(retry.body().get("retried_items").asLong()).isEqualTo(items);
      assertThat(retry.body().get("not_yet_retryable").asLong()).isZero();
      String child = retry.body().get("batch_id").asText();
      await().atMost(Duration.ofMinutes(1)).until(() -> status(api, child).get("status").asText().equals("completed"));
      Set<Long> all = new java.util.HashSet<>();
      for (long i = 0; i < items; i++) {
        all.add(i);
      }
      assertMergedComplete(api, id, child, all);
    }
  }

  /** The merged view: every parent index once, in order; those in {@code retried} from the child, with a result. */
  private static void assertMergedComplete(ApiClient api, String parent, String child, Set<Long> retried) throws Exception {
    List<Long> order = new ArrayList<>();
    String body = api.getNdjson("/v1/batch/" + parent + "/results?merged=true").body();
    for (String text : body.split("\n")) {
      JsonNode line = ApiClient.JSON.readTree(text);
      long index = line.get("index").asLong();
      order.add(index);
      assertThat(line.get("custom_id").asText()).isEqualTo("row-" + index);
      assertThat(line.has("result")).as("item %d", index).isTrue();
      if (retried.contains(index)) {
        assertThat(line.get("retried_in").asText()).isEqualTo(child);
        assertThat(line.at("/result/label").asText()).isEqualTo(NdjsonLines.languageOf((int) index));
      } else {
        assertThat(line.has("retried_in")).isFalse();
      }
    }
    long total = status(api, parent).at("/progress/total").asLong();
    assertThat(order).hasSize((int) total);
    for (int i = 0; i < order.size(); i++) {
      assertThat(order.get(i)).isEqualTo(i);
    }
  }

  private static JsonNode status(ApiClient api, String id) {
    return api.get("/v1/batch/" + id + "/status").body();
  }

  private static Map<Long, JsonNode> lines(ApiClient api, String path) throws Exception {
    Map<Long, JsonNode> out = new java.util.LinkedHashMap<>();
    for (String text : api.getNdjson(path).body().split("\n")) {
      if (!text.isEmpty()) {
        JsonNode line = ApiClient.JSON.readTree(text);
        out.put(line.get("index").asLong(), line);
      }
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
