package dev.batchinfer.embedded.load;

import java.util.SplittableRandom;

/**
 * Fashion-MNIST-shaped inputs for the tools that load the system (the bench, the chaos suite): a bright rectangle
 * on a dark background, so they compress on Kafka about like real pictures. A model's cost does not depend on the
 * pixels, so nothing needs real data.
 */
public final class SyntheticImages {

  public static final int SIDE = 28;
  /** One image: {@link #SIDE} x {@link #SIDE} grey levels, a byte each. */
  public static final int BYTES = SIDE * SIDE;

  private SyntheticImages() {}

  /**
   * The next image from {@code random}: the same random state gives the same image.
   *
   * @param dimmest the lowest grey level inside the rectangle (0 to 255); outside it every pixel is 0
   */
  public static byte[] image(SplittableRandom random, int dimmest) {
    byte[] px = new byte[BYTES];
    int top = random.nextInt(2, 10);
    int left = random.nextInt(2, 10);
    int bottom = random.nextInt(18, 27);
    int right = random.nextInt(18, 27);
    for (int r = top; r < bottom; r++) {
      for (int c = left; c < right; c++) {
        px[r * SIDE + c] = (byte) random.nextInt(dimmest, 256);
      }
    }
    return px;
  }
}
