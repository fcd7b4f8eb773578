package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.worker.GpuWorkerApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Server-sent events of a batch: progress, the final state, and resuming with Last-Event-ID. */
class EventStreamIT {

  /** One SSE event as received. */
  record Event(long id, String name) {}

  @Test
  void the_stream_delivers_progress_and_the_final_event_and_resumes_after_the_last_event_id() throws Exception {
    try (TestSystem system = new TestSystem("sse", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      String id = api.post("/v1/batch/predict", Inputs.batchBodyBase64("fashion-mnist", Inputs.images(10_000, 3), null))
          .body().get("batch_id").asText();
      String url = api.base() + "/v1/batch/" + id + "/events";

      List<Event> first = new CopyOnWriteArrayList<>();
      CompletableFuture<?> firstDone = listen(url, null, first);
      // Part of the batch, then a pause: the stream must have told us about that part.
      GpuWorkerApp slow = system.startWorker(system.workerSettings("slow", Map.of(
          "WORKER_MAX_BATCH_SIZE", "1", "WORKER_MAX_QUEUE_DELAY", "0ms", "TF_INTRA_OP_THREADS", "1")));
      await().atMost(Duration.ofMinutes(1)).until(() -> first.stream().anyMatch(e -> e.name().equals("progress")));
      slow.halt();
      // Resume from the first progress event: everything after it must come, nothing before it.
      long seen = first.stream().filter(e -> e.name().equals("progress")).findFirst().orElseThrow().id();

      List<Event> resumed = new CopyOnWriteArrayList<>();
      CompletableFuture<?> resumedDone = listen(url, Long.toString(seen), resumed);
      system.startWorker(system.workerSettings("fast"));
      firstDone.get(2, java.util.concurrent.TimeUnit.MINUTES);
      resumedDone.get(2, java.util.concurrent.TimeUnit.MINUTES);

      assertThat(first.get(first.size() - 1)).isEqualTo(new Event(10_000, "completed"));
      assertThat(first).extracting(Event::id).isSorted();
      assertThat(resumed).isNotEmpty().allSatisfy(e -> assertThat(e.id()).isGreaterThan(seen));
      assertThat(resumed.get(resumed.size() - 1)).isEqualTo(new Event(10_000, "completed"));
    }
  }

  /** Collects events until the stream ends (it ends after the final event). */
  private static CompletableFuture<?> listen(String url, String lastEventId, List<Event> into) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + ApiClient.KEY_A);
    if (lastEventId != null) {
      r.header("Last-Event-ID", lastEventId);
    }
    return HttpClient.newHttpClient().sendAsync(r.build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> frame = new ArrayList<>();
      response.body().forEach(line -> {
        if (!line.isEmpty()) {
          frame.add(line);
          return;
        }
        long eventId = -1;
        String name = null;
        for (String f : frame) {
          if (f.startsWith("id: ")) {
            eventId = Long.parseLong(f.substring(4));
          } else if (f.startsWith("event: ")) {
            name = f.substring(7);
          }
        }
        if (name != null) {
          into.add(new Event(eventId, name));
        }
        frame.clear();
      });
    });
  }
}
