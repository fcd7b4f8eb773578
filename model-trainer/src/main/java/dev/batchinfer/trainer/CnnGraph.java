package dev.batchinfer.trainer;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The CNN's forward pass, shared by the training graph and the exported inference graph:
 * normalise (the same op as the MLP) → [-1,28,28,1] → conv 3x3 (SAME) + ReLU → max-pool 2x2 →
 * conv 3x3 (SAME) + ReLU → max-pool 2x2 → flatten → dense + ReLU → (dropout, training only) → logits.
 */
final class CnnGraph {

  static final String CONV1_KERNEL = "conv1_kernel";
  static final String CONV1_BIAS = "conv1_bias";
  static final String CONV2_KERNEL = "conv2_kernel";
  static final String CONV2_BIAS = "conv2_bias";
  static final String DENSE_KERNEL = "dense_kernel";
  static final String DENSE_BIAS = "dense_bias";
  static final String OUTPUT_KERNEL = "output_kernel";
  static final String OUTPUT_BIAS = "output_bias";
  static final int KERNEL = 3;

  private CnnGraph() {}

  /** Layer sizes; everything else about the architecture is fixed. */
  record Dims(int filters1, int filters2, int dense) {
    Dims {
      if (filters1 <= 0 || filters2 <= 0 || dense <= 0) {
        throw new IllegalArgumentException("layer sizes must be positive");
      }
    }

    /** Two 2x2 pools with SAME convs: 28 → 14 → 7. */
    int flat() {
      return (FashionMnist.ROWS / 4) * (FashionMnist.COLS / 4) * filters2;
    }
  }

  /** Seeded Glorot-uniform kernels (HWIO for convs), zero biases. */
  static NamedWeights init(Dims d, Seeds seeds) {
    int k2 = KERNEL * KERNEL;
    return new NamedWeights()
        .add(CONV1_KERNEL, Shape.of(KERNEL, KERNEL, 1, d.filters1()),
            seeds.glorotUniform(k2, k2 * d.filters1(), k2 * d.filters1()))
        .add(CONV1_BIAS, Shape.of(d.filters1()), new float[d.filters1()])
        .add(CONV2_KERNEL, Shape.of(KERNEL, KERNEL, d.filters1(), d.filters2()),
            seeds.glorotUniform(k2 * d.filters1(), k2 * d.filters2(), k2 * d.filters1() * d.filters2()))
        .add(CONV2_BIAS, Shape.of(d.filters2()), new float[d.filters2()])
        .add(DENSE_KERNEL, Shape.of(d.flat(), d.dense()), seeds.glorotUniform(d.flat(), d.dense()))
        .add(DENSE_BIAS, Shape.of(d.dense()), new float[d.dense()])
        .add(OUTPUT_KERNEL, Shape.of(d.dense(), FashionMnist.CLASSES),
            seeds.glorotUniform(d.dense(), FashionMnist.CLASSES))
        .add(OUTPUT_BIAS, Shape.of(FashionMnist.CLASSES), new float[FashionMnist.CLASSES]);
  }

  /**
   * Logits. {@code dropoutMask} ([-1, dense], 0 or 1/(1-rate)) is multiplied into the dense layer
   * during training; the inference graph passes {@code null} and has no dropout op at all.
   */
  static Operand<TFloat32> logits(Ops tf, Operand<TUint8> pixels, Map<String, ? extends Operand<TFloat32>> w,
                                  Operand<TFloat32> dropoutMask) {
    Operand<TFloat32> x = tf.withName("image").reshape(MlpGraph.normalise(tf, pixels),
        tf.constant(new long[] {-1, FashionMnist.ROWS, FashionMnist.COLS, 1}));
    Operand<TFloat32> c1 = convBlock(tf, "conv1", x, w.get(CONV1_KERNEL), w.get(CONV1_BIAS));
    Operand<TFloat32> c2 = convBlock(tf, "conv2", c1, w.get(CONV2_KERNEL), w.get(CONV2_BIAS));
    long flat = w.get(DENSE_KERNEL).shape().get(0);
    Operand<TFloat32> flattened = tf.withName("flatten").reshape(c2, tf.constant(new long[] {-1, flat}));
    Operand<TFloat32> dense = tf.withName("dense_relu").nn.relu(
        tf.math.add(tf.linalg.matMul(flattened, w.get(DENSE_KERNEL)), w.get(DENSE_BIAS)));
    if (dropoutMask != null) {
      dense = tf.withName("dropout").math.mul(dense, dropoutMask);
    }
    return tf.withName("logits").math.add(tf.linalg.matMul(dense, w.get(OUTPUT_KERNEL)), w.get(OUTPUT_BIAS));
  }

  private static Operand<TFloat32> convBlock(Ops tf, String name, Operand<TFloat32> in,
                                             Operand<TFloat32> kernel, Operand<TFloat32> bias) {
    Operand<TFloat32> conv = tf.withName(name).nn.conv2d(in, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
    Operand<TFloat32> relu = tf.withName(name + "_relu").nn.relu(tf.nn.biasAdd(conv, bias));
    return tf.withName(name + "_pool").nn.maxPool(relu, tf.constant(new int[] {1, 2, 2, 1}),
        tf.constant(new int[] {1, 2, 2, 1}), "VALID");
  }
}
