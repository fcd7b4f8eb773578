package dev.batchinfer.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(250));

  @Test
  void retry_after_is_honoured_else_the_backoff_doubles_up_to_its_maximum_and_the_attempts_run_out() {
    assertThat(policy.next(1, Optional.of(Duration.ofSeconds(3)))).contains(Duration.ofSeconds(3));
    assertThat(policy.next(1, Optional.empty())).contains(Duration.ofMillis(100));
    assertThat(policy.next(2, Optional.empty())).contains(Duration.ofMillis(200));
    assertThat(policy.next(3, Optional.empty())).contains(Duration.ofMillis(250));
    assertThat(policy.next(4, Optional.empty())).isEmpty();
    assertThat(RetryPolicy.NONE.next(1, Optional.of(Duration.ofSeconds(1)))).isEmpty();
  }

  @Test
  void only_429_and_503_are_sent_again_and_retry_after_is_read_in_seconds() {
    assertThat(RetryPolicy.retriable(429)).isTrue();
    assertThat(RetryPolicy.retriable(503)).isTrue();
    assertThat(RetryPolicy.retriable(500)).isFalse();
    assertThat(RetryPolicy.retriable(409)).isFalse();
    assertThat(RetryPolicy.parseRetryAfter(" 7 ")).contains(Duration.ofSeconds(7));
    assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEmpty();
    assertThat(RetryPolicy.parseRetryAfter(null)).isEmpty();
  }
}
