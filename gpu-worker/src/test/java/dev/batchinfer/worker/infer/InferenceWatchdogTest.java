package dev.batchinfer.worker.infer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.worker.batch.ChunkSource;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.batch.PendingChunk;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class InferenceWatchdogTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void all_is_well_while_threads_live_and_calls_are_within_the_timeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread alive = new Thread(() -> awaitQuietly(release), "inference-0");
    alive.start();
    try {
      InferenceWatchdog dog = new InferenceWatchdog(List.of(
          new InferenceWatchdog.Watched(alive, now -> TIMEOUT.toNanos())), TIMEOUT);
      assertThat(dog.problem(System.nanoTime())).isNull();
    } finally {
      release.countDown();
      alive.join();
    }
  }

  @Test
  void a_model_call_past_the_timeout_is_named() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread hung = new Thread(() -> awaitQuietly(release), "inference-1");
    hung.start();
    try {
      InferenceWatchdog dog = new InferenceWatchdog(List.of(
          new InferenceWatchdog.Watched(hung, now -> TIMEOUT.plusSeconds(1).toNanos())), TIMEOUT);
      assertThat(dog.problem(System.nanoTime())).contains("inference-1").contains("61 s").contains("MODEL_CALL_TIMEOUT");
    } finally {
      release.countDown();
      hung.join();
    }
  }

  @Test
  void an_error_that_escapes_the_inference_loop_kills_its_thread_and_the_watchdog_says_so() throws Exception {
    ChunkSource broken = new ChunkSource() {
      @Override
      public PendingChunk poll() {
        throw new OutOfMemoryError("Java heap space (thrown by the test)");
      }

      @Override
      public PendingChunk poll(long nanos) {
        return poll();
      }
    };
    InferenceLoop loop = new InferenceLoop(broken, new MicroBatcher(8, 1_000_000, key -> 8), null, c -> {});
    Thread t = new Thread(loop, "inference-2");
    t.setUncaughtExceptionHandler((thread, e) -> {}); // expected: keep the test's output clean
    t.start();
    t.join(Duration.ofSeconds(30).toMillis());

    InferenceWatchdog dog = new InferenceWatchdog(List.of(new InferenceWatchdog.Watched(t, loop::callRunningNanos)), TIMEOUT);
    assertThat(dog.problem(System.nanoTime())).isEqualTo("inference thread inference-2 died");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
