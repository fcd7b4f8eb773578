package dev.batchinfer.trainer;

import java.util.SplittableRandom;

/**
 * All randomness of a training run, derived from the one {@code --seed}.
 *
 * <p>Weight init and shuffling are done in Java rather than with TensorFlow's random ops so they
 * are bit-identical across machines and TensorFlow versions; each gets its own stream so that
 * changing, say, the number of epochs does not change the initial weights.
 */
public final class Seeds {

  private final SplittableRandom weights;
  private final SplittableRandom shuffle;

  public Seeds(long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    this.weights = root.split();
    this.shuffle = root.split();
  }

  /**
   * Glorot/Xavier uniform init for a {@code fanIn x fanOut} kernel, row-major: keeps activation
   * variance roughly constant across layers, which is what lets Adam converge in a few epochs.
   */
  public float[] glorotUniform(int fanIn, int fanOut) {
    double limit = Math.sqrt(6.0 / (fanIn + fanOut));
    float[] kernel = new float[fanIn * fanOut];
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = (float) ((weights.nextDouble() * 2.0 - 1.0) * limit);
    }
    return kernel;
  }

  /** Fills {@code order} with a fresh Fisher-Yates permutation of 0..n-1 for the next epoch. */
  public void shuffle(int[] order) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = shuffle.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }
}
