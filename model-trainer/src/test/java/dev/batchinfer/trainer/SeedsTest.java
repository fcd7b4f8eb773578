package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeedsTest {

  @Test
  void same_seed_gives_same_weights_and_same_shuffles() {
    Seeds a = new Seeds(42);
    Seeds b = new Seeds(42);
    int[] orderA = new int[100];
    int[] orderB = new int[100];
    a.shuffle(orderA);
    b.shuffle(orderB);

    assertThat(a.glorotUniform(20, 10)).containsExactly(b.glorotUniform(20, 10));
    assertThat(orderA).containsExactly(orderB);
  }

  @Test
  void different_seeds_give_different_weights() {
    assertThat(new Seeds(1).glorotUniform(20, 10)).isNotEqualTo(new Seeds(2).glorotUniform(20, 10));
  }

  @Test
  void shuffling_does_not_change_the_initial_weights() {
    Seeds untouched = new Seeds(7);
    Seeds shuffledFirst = new Seeds(7);
    shuffledFirst.shuffle(new int[1000]);

    assertThat(shuffledFirst.glorotUniform(5, 5)).containsExactly(untouched.glorotUniform(5, 5));
  }

  @Test
  void every_shuffle_is_a_new_permutation_of_all_items() {
    Seeds seeds = new Seeds(42);
    int[] first = new int[500];
    int[] second = new int[500];
    seeds.shuffle(first);
    seeds.shuffle(second);

    assertThat(first).containsExactlyInAnyOrder(IntStream.range(0, 500).toArray());
    assertThat(second).containsExactlyInAnyOrder(IntStream.range(0, 500).toArray());
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void glorot_uniform_stays_within_its_limit_and_is_centred() {
    float[] kernel = new Seeds(3).glorotUniform(784, 256);
    double limit = Math.sqrt(6.0 / (784 + 256));
    double mean = 0;
    for (float v : kernel) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo((float) limit);
      mean += v;
    }
    mean /= kernel.length;

    assertThat(kernel).hasSize(784 * 256);
    assertThat(Math.abs(mean)).isLessThan(limit / 100);
  }
}
