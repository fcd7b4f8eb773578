package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * A model for fault tests, not for predictions: a small fixed linear classifier over Fashion-MNIST-shaped
 * input whose graph reads a file (the gate) on every call. While the gate is missing every call fails inside
 * TensorFlow (NotFoundError), and calls succeed again once it is back: a transient model failure made for real
 * in a real SavedModel, from outside the worker. Labels depend on the input (seeded weights), so a result can
 * be checked against a sync predict of the same input.
 */
public final class GatedModel {

  public static final String MODEL = "gated";
  public static final String VERSION = "1.0.0";
  private static final int PIXELS = 784;
  private static final int CLASSES = 10;

  private GatedModel() {}

  /** Writes {@code <root>/gated/1.0.0/} (SavedModel and config.yaml); its calls read {@code gate}. */
  public static Path export(Path root, Path gate) throws IOException {
    Path dir = root.resolve(MODEL).resolve(VERSION);
    SplittableRandom random = new SplittableRandom(20261207L);
    float[] kernel = new float[PIXELS * CLASSES];
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = (float) random.nextDouble(-0.1, 0.1);
    }
    NamedWeights weights = new NamedWeights()
        .add("kernel", Shape.of(PIXELS, CLASSES), kernel)
        .add("bias", Shape.of(CLASSES), new float[CLASSES]);
    String gatePath = gate.toAbsolutePath().toString();
    SavedModelExporter.export(dir, weights, SavedModelExporter.INPUT, TUint8.class, Shape.of(-1, PIXELS),
        (tf, pixels, w) -> {
          Operand<TFloat32> x = tf.math.div(tf.dtypes.cast(pixels, TFloat32.class), tf.constant(255f));
          Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(x, w.get("kernel")), w.get("bias"));
          // The path gets an empty suffix computed from the input, so no optimizer folds the read into a constant;
          // zero times the gate's length, so the output needs the read and every call makes it.
          Operand<org.tensorflow.types.TString> empty = tf.strings.reduceJoin(tf.strings.substr(
              tf.dtypes.asString(tf.shape(pixels)), tf.constant(0), tf.constant(0)), tf.constant(0));
          Operand<org.tensorflow.types.TString> path = tf.strings.join(java.util.List.of(tf.constant(gatePath), empty));
          Operand<TFloat32> gateLength = tf.dtypes.cast(tf.strings.stringLength(tf.io.readFile(path)), TFloat32.class);
          return tf.math.add(logits, tf.math.mul(gateLength, tf.constant(0f)));
        });
    Files.writeString(dir.resolve("config.yaml"), """
        model: gated
        version: 1.0.0
        description: fault-test model; every call reads a gate file and fails while it is missing
        signature: serving_default
        input:
          name: pixels
          dtype: uint8
          shape: [784]
          min: 0
          max: 255
        output:
          name: probabilities
          top_k: 3
          labels: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9]
        batching:
          max_batch_size: 512
          preferred_batch_sizes: [128, 256, 512]
        """);
    return dir;
  }
}
