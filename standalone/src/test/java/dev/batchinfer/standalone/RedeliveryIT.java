package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import static dev.batchinfer.api.testing.BatchRequest.aBatch;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.worker.GpuWorkerApp;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A worker dies after publishing results but before committing offsets; another takes over. */
class RedeliveryIT {

  private static final int ITEMS = 3_000;

  @Test
  void redelivered_chunks_are_counted_once_and_every_item_is_present_once() throws Exception {
    try (TestSystem system = new TestSystem("redelivery", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      // Worker A never gets to commit: everything it did will be delivered again.
      GpuWorkerApp a = system.startWorker(system.workerSettings("worker-a").withCommitInterval(Duration.ofHours(1)));
      ApiClient api = system.api();
      String id = api.submit(aBatch().withSeed(3).withItems(ITEMS));

      await().atMost(Duration.ofMinutes(1)).until(() -> api.batch(id).completed() > 0);
      a.halt();
      system.startWorker(system.workerSettings("worker-b"));

      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(2))).isCompletedWith(ITEMS, 0);

      String[] lines = api.getNdjson("/v1/batch/" + id + "/results").body().split("\n");
      Set<Integer> indexes = new HashSet<>();
      for (String line : lines) {
        indexes.add(ApiClient.JSON.readTree(line).get("index").asInt());
      }
      assertThat(lines).hasSize(ITEMS);
      assertThat(indexes).hasSize(ITEMS).allMatch(i -> i >= 0 && i < ITEMS);

      // Proof that the redelivery happened: some chunk was reported by both workers. Worker B may
      // re-report a chunk A finished after the batch completed, so wait for it.
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        List<ProgressEvent.ChunkFinished> reports = TopicReader.readAll(system.topics.progress().name(), false).stream()
            .map(r -> system.topics.progress().valueSerde().deserializer().deserialize("", r.value()))
            .filter(d -> d.batchId().equals(id)).flatMap(d -> d instanceof ProgressEvent.ChunkFinished c ? Stream.of(c)
                : Stream.empty()).toList(); // the API's seal is no chunk report
        Map<Integer, Set<String>> workersPerChunk = reports.stream().collect(Collectors.groupingBy(
            ProgressEvent.ChunkFinished::chunkIndex, Collectors.mapping(ProgressEvent.ChunkFinished::workerId, Collectors.toSet())));
        assertThat(workersPerChunk).hasSize(30);
        assertThat(workersPerChunk.values()).anyMatch(w -> w.containsAll(Set.of("worker-a", "worker-b")));
      });
    }
  }
}
