package dev.batchinfer.worker.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelCallRetryTest {

  private final List<Duration> slept = new ArrayList<>();

  @Test
  void a_call_that_fails_twice_then_succeeds_gives_its_result_after_two_pauses() {
    AtomicInteger calls = new AtomicInteger();
    String result = ModelCallRetry.call("test", () -> {
      if (calls.incrementAndGet() <= 2) {
        throw new IllegalStateException("resource exhausted");
      }
      return "ok";
    }, ModelCallRetry.BACKOFF, slept::add);

    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(slept).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
  }

  @Test
  void a_call_that_keeps_failing_throws_its_last_failure_after_every_pause() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> ModelCallRetry.call("test", () -> {
      throw new IllegalStateException("failure " + calls.incrementAndGet());
    }, ModelCallRetry.BACKOFF, slept::add)).hasMessage("failure 4");
    assertThat(slept).containsExactlyElementsOf(ModelCallRetry.BACKOFF);
  }

  @Test
  void a_call_that_succeeds_is_made_once() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(ModelCallRetry.call("test", calls::incrementAndGet, ModelCallRetry.BACKOFF, slept::add)).isEqualTo(1);
    assertThat(slept).isEmpty();
  }
}
