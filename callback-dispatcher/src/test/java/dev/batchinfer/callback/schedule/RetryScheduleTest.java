package dev.batchinfer.callback.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  @Test
  void the_default_schedule_is_svixs_with_eight_attempts() {
    RetrySchedule s = RetrySchedule.parse(RetrySchedule.DEFAULT);
    assertThat(s.attempts()).isEqualTo(8);
    RetrySchedule noJitter = new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5)), () -> 0.5);
    assertThat(noJitter.next(0, null)).contains(Duration.ZERO);
    assertThat(noJitter.next(1, null)).contains(Duration.ofSeconds(5));
    assertThat(noJitter.next(2, null)).contains(Duration.ofMinutes(5));
    assertThat(noJitter.next(3, null)).isEmpty();
  }

  @Test
  void jitter_stays_within_ten_percent_either_way() {
    List<Duration> one = List.of(Duration.ZERO, Duration.ofSeconds(100));
    assertThat(new RetrySchedule(one, () -> 0.0).next(1, null)).contains(Duration.ofSeconds(90));
    assertThat(new RetrySchedule(one, () -> 0.999999).next(1, null).orElseThrow()).isBetween(
        Duration.ofSeconds(109), Duration.ofSeconds(110));
  }

  @Test
  void a_longer_retry_after_wins_and_a_shorter_one_does_not_hurry_us() {
    RetrySchedule s = new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(5)), () -> 0.5);
    assertThat(s.next(1, Duration.ofSeconds(30))).contains(Duration.ofSeconds(30));
    assertThat(s.next(1, Duration.ofSeconds(1))).contains(Duration.ofSeconds(5));
  }

  @Test
  void a_bad_schedule_names_the_variable() {
    assertThatThrownBy(() -> RetrySchedule.parse("0s,soon"))
        .hasMessageContaining("CALLBACK_RETRY_SCHEDULE");
  }
}
