package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {

  private static final int W = FashionMnist.COLS;

  @Test
  void mirroring_swaps_left_and_right_columns() {
    byte[] image = new byte[FashionMnist.FEATURES];
    image[3 * W] = 7;            // row 3, first column
    byte[] out = new byte[FashionMnist.FEATURES];

    Augment.transform(image, 0, out, 0, true, 0, 0);

    assertThat(out[3 * W + W - 1]).isEqualTo((byte) 7);
    assertThat(out[3 * W]).isZero();
  }

  @Test
  void shifting_moves_pixels_and_fills_with_zero() {
    byte[] image = new byte[FashionMnist.FEATURES];
    java.util.Arrays.fill(image, (byte) 1);
    image[10 * W + 10] = 9;
    byte[] out = new byte[FashionMnist.FEATURES];

    Augment.transform(image, 0, out, 0, false, 2, -1);

    assertThat(out[9 * W + 12]).isEqualTo((byte) 9);
    assertThat(out[5 * W]).as("shifted in from the left").isZero();
    assertThat(out[(FashionMnist.ROWS - 1) * W + 5]).as("shifted in from the bottom").isZero();
    assertThat(out[5 * W + 5]).isEqualTo((byte) 1);
  }

  @Test
  void no_policy_copies_the_image_unchanged_and_draws_nothing() {
    byte[] image = new byte[2 * FashionMnist.FEATURES];
    image[FashionMnist.FEATURES + 100] = 42;
    byte[] out = new byte[FashionMnist.FEATURES];
    SplittableRandom random = new SplittableRandom(1);

    Augment.apply(image, FashionMnist.FEATURES, out, 0, Augment.Policy.NONE, random);

    assertThat(out[100]).isEqualTo((byte) 42);
    assertThat(random.nextLong()).isEqualTo(new SplittableRandom(1).nextLong());
  }

  @Test
  void parses_and_prints_policies() {
    assertThat(Augment.Policy.parse("none")).isEqualTo(Augment.Policy.NONE);
    assertThat(Augment.Policy.parse("flip+shift2")).isEqualTo(new Augment.Policy(true, 2));
    assertThat(Augment.Policy.parse("flip+shift2")).hasToString("flip+shift2");
    assertThat(Augment.Policy.parse("flip")).hasToString("flip");
    assertThatThrownBy(() -> Augment.Policy.parse("rotate")).hasMessageContaining("augment");
  }
}
