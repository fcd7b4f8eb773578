package dev.batchinfer.trainer;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The forward pass, shared by the training graph and the exported inference graph so the two
 * cannot drift apart (most importantly the input normalisation).
 */
final class MlpGraph {

  // Flat names: Adam derives slot names from these and rejects a '/' in them.
  static final String HIDDEN_KERNEL = "hidden_kernel";
  static final String HIDDEN_BIAS = "hidden_bias";
  static final String OUTPUT_KERNEL = "output_kernel";
  static final String OUTPUT_BIAS = "output_bias";

  private MlpGraph() {}

  /**
   * Raw 0-255 pixels to [0, 1] floats. Living in the graph means serving code copies request bytes
   * straight into a uint8 tensor and can never apply a different scaling than training did.
   */
  static Operand<TFloat32> normalise(Ops tf, Operand<TUint8> pixels) {
    return tf.withName("normalise").math.div(tf.dtypes.cast(pixels, TFloat32.class), tf.constant(255f));
  }

  /** Logits of the MLP: relu(x W1 + b1) W2 + b2. */
  static Operand<TFloat32> logits(Ops tf, Operand<TUint8> pixels,
                                  Operand<TFloat32> hiddenKernel, Operand<TFloat32> hiddenBias,
                                  Operand<TFloat32> outputKernel, Operand<TFloat32> outputBias) {
    Operand<TFloat32> x = normalise(tf, pixels);
    Operand<TFloat32> hidden = tf.withName("hidden_relu").nn.relu(
        tf.math.add(tf.linalg.matMul(x, hiddenKernel), hiddenBias));
    return tf.withName("logits").math.add(tf.linalg.matMul(hidden, outputKernel), outputBias);
  }
}
