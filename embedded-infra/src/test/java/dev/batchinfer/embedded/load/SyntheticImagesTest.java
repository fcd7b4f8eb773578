package dev.batchinfer.embedded.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyntheticImagesTest {

  @Test
  void the_same_random_state_gives_the_same_image() {
    assertThat(SyntheticImages.image(new SplittableRandom(42), 60))
        .isEqualTo(SyntheticImages.image(new SplittableRandom(42), 60))
        .isNotEqualTo(SyntheticImages.image(new SplittableRandom(43), 60));
  }

  @Test
  void an_image_is_a_rectangle_no_dimmer_than_asked_on_black() {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 100; n++) {
      byte[] px = SyntheticImages.image(random, 120);
      assertThat(px).hasSize(SyntheticImages.BYTES);
      int lit = 0;
      for (int i = 0; i < px.length; i++) {
        int r = i / SyntheticImages.SIDE;
        int c = i % SyntheticImages.SIDE;
        int grey = px[i] & 0xff;
        if (grey != 0) {
          lit++;
          assertThat(grey).isGreaterThanOrEqualTo(120);
          assertThat(r).isBetween(2, 26);
          assertThat(c).isBetween(2, 26);
        }
      }
      assertThat(lit).as("at least an 8x8 rectangle").isGreaterThanOrEqualTo(64);
    }
  }
}
