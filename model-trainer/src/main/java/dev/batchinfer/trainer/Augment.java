package dev.batchinfer.trainer;

import java.util.SplittableRandom;

/**
 * Training-time image augmentation for 28x28 Fashion-MNIST items, done in Java on the raw bytes
 * from the seeded stream so runs repeat exactly. Left-right mirroring keeps every class a valid
 * item of that class (shoes and bags are photographed from both sides); small shifts teach
 * tolerance to centring. Never applied at evaluation or serving time.
 */
final class Augment {

  private Augment() {}

  /** What to apply: mirror with probability 0.5, shift by up to {@code maxShift} pixels each way. */
  record Policy(boolean flip, int maxShift) {
    static final Policy NONE = new Policy(false, 0);

    Policy {
      if (maxShift < 0 || maxShift > 8) {
        throw new IllegalArgumentException("max shift must be in 0..8");
      }
    }

    static Policy parse(String spec) {
      boolean flip = false;
      int shift = 0;
      if (!spec.equals("none")) {
        for (String part : spec.split("\\+")) {
          if (part.equals("flip")) {
            flip = true;
          } else if (part.matches("shift\\d")) {
            shift = part.charAt(5) - '0';
          } else {
            throw new IllegalArgumentException("augment is 'none' or a '+'-joined list of flip, shiftN; got " + spec);
          }
        }
      }
      return new Policy(flip, shift);
    }

    @Override
    public String toString() {
      if (!flip && maxShift == 0) {
        return "none";
      }
      return flip && maxShift > 0 ? "flip+shift" + maxShift : flip ? "flip" : "shift" + maxShift;
    }
  }

  /** Copies image {@code src[srcOff..]} to {@code dst[dstOff..]}, transformed per {@code policy}. */
  static void apply(byte[] src, int srcOff, byte[] dst, int dstOff, Policy policy, SplittableRandom random) {
    int rows = FashionMnist.ROWS;
    int cols = FashionMnist.COLS;
    boolean flip = policy.flip() && random.nextBoolean();
    int dx = policy.maxShift() == 0 ? 0 : random.nextInt(2 * policy.maxShift() + 1) - policy.maxShift();
    int dy = policy.maxShift() == 0 ? 0 : random.nextInt(2 * policy.maxShift() + 1) - policy.maxShift();
    transform(src, srcOff, dst, dstOff, flip, dx, dy);
  }

  /** Output pixel (r, c) = input (r - dy, c' - dx) with c' mirrored if {@code flip}; outside → 0. */
  static void transform(byte[] src, int srcOff, byte[] dst, int dstOff, boolean flip, int dx, int dy) {
    int rows = FashionMnist.ROWS;
    int cols = FashionMnist.COLS;
    if (!flip && dx == 0 && dy == 0) {
      System.arraycopy(src, srcOff, dst, dstOff, rows * cols);
      return;
    }
    for (int r = 0; r < rows; r++) {
      int sr = r - dy;
      for (int c = 0; c < cols; c++) {
        int sc = c - dx;
        byte value = 0;
        if (sr >= 0 && sr < rows && sc >= 0 && sc < cols) {
          value = src[srcOff + sr * cols + (flip ? cols - 1 - sc : sc)];
        }
        dst[dstOff + r * cols + c] = value;
      }
    }
  }
}
