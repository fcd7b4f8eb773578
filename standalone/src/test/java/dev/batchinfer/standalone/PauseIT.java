package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Pause and resume through the real broker, worker and Redis: a paused batch stops starting chunks while another
 * batch on the same partitions completes, then resumes and completes with every item once; a batch cancelled
 * while paused ends cancelled.
 */
class PauseIT {

  private static final int BIG = 12_000;

  @Test
  void a_paused_batch_stands_still_while_another_completes_then_resumes_and_completes_every_item_once() {
    try (TestSystem system = new TestSystem("pause", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      String big = api.submit(aBatch().withItems(BIG));
      // Small micro-batches keep the big batch running long enough to pause it part-way.
      system.startWorker(system.workerSettings("pause-worker", Map.of("WORKER_MAX_BATCH_SIZE", "4",
          "WORKER_MAX_QUEUE_DELAY", "0ms", "TF_INTRA_OP_THREADS", "1")));
      await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofMinutes(1)).until(() -> completed(api, big) > 0);

      assertThat(api.withKey(ApiClient.KEY_B).post("/v1/batch/" + big + "/pause", "").status()).isEqualTo(404);
      ApiClient.Answer pause = api.post("/v1/batch/" + big + "/pause", "");
      assertThat(pause.status()).isEqualTo(202);
      assertThat(pause.body().get("paused").asBoolean()).isTrue();
      assertThat(status(api, big).get("paused").asBoolean()).isTrue();

      // Chunks already at the model finish; then nothing more starts.
      long[] last = {-1};
      await().pollInterval(Duration.ofMillis(250)).during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> {
        long now = completed(api, big);
        boolean still = now == last[0];
        last[0] = now;
        return still;
      });
      long whilePaused = last[0];
      assertThat(whilePaused).isLessThan(BIG);

      String other = api.submit(aBatch().withItems(500));
      BatchAssertions.assertThat(api.awaitFinal(other, Duration.ofMinutes(1))).isCompletedWith(500, 0);
      assertThat(completed(api, big)).as("the paused batch did not move while the other ran").isEqualTo(whilePaused);
      await().atMost(Duration.ofSeconds(30)).until(() -> changes(api, big).equals(List.of("paused")));

      ApiClient.Answer resume = api.post("/v1/batch/" + big + "/resume", "");
      assertThat(resume.status()).isEqualTo(202);
      assertThat(resume.body().get("paused").asBoolean()).isFalse();
      assertThat(resume.body().get("released_chunks").asInt()).as("chunks set aside while paused").isPositive();
      BatchAssertions.assertThat(api.awaitFinal(big, Duration.ofMinutes(3))).isCompletedWith(BIG, 0);
      assertThat(status(api, big).get("paused").asBoolean()).isFalse();
      assertThat(changes(api, big)).containsExactly("paused", "resumed");

      Set<Long> indexes = new HashSet<>();
      String[] lines = api.getNdjson("/v1/batch/" + big + "/results").body().split("\n");
      for (String line : lines) {
        JsonNode item = read(line);
        assertThat(item.has("result")).as(line).isTrue();
        indexes.add(item.get("index").asLong());
      }
      assertThat(lines).hasSize(BIG);
      assertThat(indexes).as("every item once").hasSize(BIG);
      await().atMost(Duration.ofSeconds(30)).until(() -> system.batchEvents(big, "batch.paused") == 1
          && system.batchEvents(big, "batch.resumed") == 1 && system.batchEvents(big, "batch.completed") == 1);
      assertThat(api.post("/v1/batch/" + big + "/pause", "").status()).as("finished").isEqualTo(409);
    }
  }

  @Test
  void a_batch_cancelled_while_its_chunks_are_set_aside_ends_cancelled() {
    try (TestSystem system = new TestSystem("pause-cancel", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      String id = api.submit(aBatch().withItems(1_000));
      assertThat(api.post("/v1/batch/" + id + "/pause", "").status()).isEqualTo(202);
      system.startWorker(system.workerSettings("pause-cancel-worker"));
      // Every chunk is read and set aside: none runs.
      String other = api.submit(aBatch().withItems(100));
      BatchAssertions.assertThat(api.awaitFinal(other, Duration.ofMinutes(1))).isCompletedWith(100, 0);
      assertThat(completed(api, id)).isZero();

      assertThat(api.post("/v1/batch/" + id + "/cancel", "").status()).isEqualTo(202);
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(1))).hasStatus("cancelled");
      assertThat(status(api, id).at("/progress/cancelled").asLong()).isEqualTo(1_000);
    }
  }

  private static JsonNode status(ApiClient api, String id) {
    return api.get("/v1/batch/" + id + "/status").body();
  }

  private static long completed(ApiClient api, String id) {
    return status(api, id).at("/progress/completed").asLong();
  }

  private static List<String> changes(ApiClient api, String id) {
    return StreamSupport.stream(status(api, id).get("history").spliterator(), false)
        .map(c -> c.get("change").asText()).toList();
  }

  private static JsonNode read(String line) {
    try {
      return ApiClient.JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new AssertionError(line, e);
    }
  }
}
