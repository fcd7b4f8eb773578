package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScheduledAdamTest {

  @Test
  void cosine_schedule_starts_at_the_rate_and_ends_at_the_floor() {
    assertThat(ScheduledAdam.cosine(0.001f, 0.05f, 0, 1000)).isCloseTo(0.001f, within(1e-9f));
    assertThat(ScheduledAdam.cosine(0.001f, 0.05f, 999, 1000)).isCloseTo(0.00005f, within(1e-9f));
  }

  @Test
  void cosine_schedule_is_halfway_in_the_middle_and_never_increases() {
    assertThat(ScheduledAdam.cosine(1f, 0f, 500, 1001)).isCloseTo(0.5f, within(1e-6f));
    float previous = Float.MAX_VALUE;
    for (int step = 0; step < 100; step++) {
      float lr = ScheduledAdam.cosine(0.01f, 0.1f, step, 100);
      assertThat(lr).isLessThanOrEqualTo(previous);
      previous = lr;
    }
  }

  @Test
  void a_floor_of_one_is_a_constant_rate() {
    assertThat(ScheduledAdam.cosine(0.002f, 1f, 37, 100)).isEqualTo(0.002f);
  }
}
