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
  private final SplittableRandom dropout;
  private final SplittableRandom augment;
  private final SplittableRandom data;

  public Seeds(long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    // Split in a fixed order; streams added later go last so earlier ones never change.
    this.weights = root.split();
    this.shuffle = root.split();
    this.dropout = root.split();
    this.augment = root.split();
    this.data = root.split();
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

  /**
   * Glorot uniform for a kernel of {@code count} values whose fans are given separately, as for a
   * convolution ({@code fanIn = kh * kw * inChannels}, {@code fanOut = kh * kw * outChannels}).
   */
  public float[] glorotUniform(int fanIn, int fanOut, int count) {
    double limit = Math.sqrt(6.0 / (fanIn + fanOut));
    float[] kernel = new float[count];
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = (float) ((weights.nextDouble() * 2.0 - 1.0) * limit);
    }
    return kernel;
  }

  /**
   * Inverted dropout: each of {@code mask}'s first {@code length} entries is 0 with probability
   * {@code rate}, else {@code 1 / (1 - rate)}, so the expected activation is unchanged and the
   * inference graph needs no scaling (it simply has no dropout).
   */
  public void dropoutMask(float[] mask, int length, float rate) {
    float keep = 1f / (1f - rate);
    for (int i = 0; i < length; i++) {
      mask[i] = dropout.nextDouble() < rate ? 0f : keep;
    }
  }

  /** The stream for data augmentation decisions (flips, shifts). */
  public SplittableRandom augment() {
    return augment;
  }

  /** The stream for data selection (per-language caps, the committed held-out sample). */
  public SplittableRandom data() {
    return data;
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
