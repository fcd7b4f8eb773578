package dev.batchinfer.bench.run;

import dev.batchinfer.topics.message.BatchStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * A sustained load: many batches sent by two clients at once, back to back, then waited for until every one
 * completed. Its rate is the items over the first submit to the last completion, so it holds the system at its
 * pace for as long as the backlog lasts, not for one batch's latency.
 */
public final class Backlog {

  /** What is sent: batches of {@code batchItems}, each made by {@code make(items, seed)}. */
  public record Shape(int batchItems, BiFunction<Integer, Long, Bodies.Body> make) {}

  /** The trivial model's inputs in batches of 32,000 (about 0.6 MB each). */
  public static final Shape TRIVIAL = new Shape(32_000, Bodies::trivialBatch);
  /** Fashion-MNIST images in batches of 5,000 (about 5 MB each as JSON). */
  public static final Shape IMAGES = new Shape(5_000, Bodies::imageBatch);

  /** @param items all the batches' items; {@code seconds} first submit to last completion */
  public record Drained(long items, int batches, double seconds) {
    public double itemsPerSecond() {
      return items / seconds;
    }
  }

  private Backlog() {}

  /** Sends about {@code items} in batches of the shape and waits until every batch completed. */
  public static Drained drain(ApiClient api, long items, Shape shape) {
    int batches = (int) Math.max(1, (items + shape.batchItems() - 1) / shape.batchItems());
    int each = (int) (items / batches);
    List<Bodies.Body> made = new ArrayList<>();
    for (int i = 0; i < Math.min(batches, 4); i++) {
      made.add(shape.make().apply(each, 900L + i)); // made before the clock starts; reused round robin
    }
    ExecutorService clients = Executors.newFixedThreadPool(2);
    long start = System.nanoTime();
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < batches; i++) {
        Bodies.Body body = made.get(i % made.size());
        ids.add(clients.submit(() -> accept(api, body)));
      }
      for (Future<String> id : ids) {
        awaitCompleted(api, id.get(), each);
      }
    } catch (Exception e) {
      throw new IllegalStateException("a backlog of " + items + " items did not drain", e);
    } finally {
      clients.shutdownNow();
    }
    return new Drained((long) each * batches, batches, (System.nanoTime() - start) / 1e9);
  }

  private static String accept(ApiClient api, Bodies.Body body) {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      ApiClient.Answer a = api.submit(body, null);
      if (a.status() == 202) {
        return a.text("batch_id");
      }
      // 429 or 503 while the backlog is deep: a client tries again, as the API's Retry-After asks.
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException("a backlog batch was not accepted in 5 minutes");
  }

  private static void awaitCompleted(ApiClient api, String id, long items) {
    long deadline = System.nanoTime() + Pipeline.MAX_BATCH_TIME.toNanos();
    while (System.nanoTime() < deadline) {
      ApiClient.Answer s = api.status(id);
      if (s.status() == 200) {
        BatchStatus status = BatchStatus.fromWire(s.text("status"));
        if (status == BatchStatus.COMPLETED && s.body().path("progress").path("completed").asLong() == items) {
          return;
        }
        if (status.isFinal()) {
          throw new IllegalStateException("batch " + id + " ended " + status.wire() + ": " + s.body());
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new IllegalStateException("batch " + id + " not completed in " + Pipeline.MAX_BATCH_TIME);
  }
}
