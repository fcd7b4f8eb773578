package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Writes the serving SavedModel. The contract is fixed because other modules depend on it:
 * tag {@code serve}, signature {@code serving_default} ({@code tensorflow/serving/predict}),
 * input {@code pixels} uint8 [-1, 784] raw 0-255, output {@code probabilities} float32 [-1, 10].
 *
 * <p>It builds a fresh inference-only graph rather than exporting the training graph, because the
 * latter would carry Adam's slot variables (~3x the weights), the loss and the gradients. Weights
 * are variables (not constants) so saved_model.pb stays a few KB and the numbers live once, in
 * variables/.
 */
public final class SavedModelExporter {

  public static final String TAG = "serve";
  public static final String SIGNATURE_KEY = "serving_default";
  public static final String METHOD_NAME = "tensorflow/serving/predict";
  public static final String INPUT = "pixels";
  public static final String OUTPUT = "probabilities";

  private SavedModelExporter() {}

  public static void export(MlpWeights weights, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TUint8> pixels = tf.withName(INPUT)
          .placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, weights.inputs())));

      // Variables without initializers: their values are assigned once below and then saved.
      Map<Variable<TFloat32>, float[]> values = new LinkedHashMap<>();
      Variable<TFloat32> w1 = declare(tf, MlpGraph.HIDDEN_KERNEL,
          Shape.of(weights.inputs(), weights.hidden()), weights.hiddenKernel(), values);
      Variable<TFloat32> b1 = declare(tf, MlpGraph.HIDDEN_BIAS,
          Shape.of(weights.hidden()), weights.hiddenBias(), values);
      Variable<TFloat32> w2 = declare(tf, MlpGraph.OUTPUT_KERNEL,
          Shape.of(weights.hidden(), weights.classes()), weights.outputKernel(), values);
      Variable<TFloat32> b2 = declare(tf, MlpGraph.OUTPUT_BIAS,
          Shape.of(weights.classes()), weights.outputBias(), values);

      Operand<TFloat32> probabilities = tf.withName(OUTPUT).nn.softmax(
          MlpGraph.logits(tf, pixels, w1, b1, w2, b2));

      assignAll(tf, session, values);

      Signature signature = Signature.builder()
          .key(SIGNATURE_KEY)
          .methodName(METHOD_NAME)
          .input(INPUT, pixels)
          .output(OUTPUT, probabilities)
          .build();
      SavedModelBundle.exporter(dir.toString())
          .withTags(TAG)
          .withSession(session)
          .withSignature(signature)
          .export();
    }
  }

  private static Variable<TFloat32> declare(Ops tf, String name, Shape shape, float[] value,
                                            Map<Variable<TFloat32>, float[]> values) {
    Variable<TFloat32> variable = tf.withName(name).variable(shape, TFloat32.class);
    values.put(variable, value);
    return variable;
  }

  /**
   * Feeds the weights through placeholders instead of baking them in as constants: a constant
   * initializer would store every weight a second time inside saved_model.pb.
   */
  private static void assignAll(Ops tf, Session session, Map<Variable<TFloat32>, float[]> values) {
    Ops load = tf.withSubScope("load_weights");
    Session.Runner runner = session.runner();
    Map<Placeholder<TFloat32>, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<Variable<TFloat32>, float[]> e : values.entrySet()) {
        Shape shape = e.getKey().shape();
        Placeholder<TFloat32> in = load.placeholder(TFloat32.class, Placeholder.shape(shape));
        TFloat32 tensor = TFloat32.tensorOf(shape, DataBuffers.of(e.getValue(), true, false));
        feeds.put(in, tensor);
        runner.feed(in, tensor).addTarget(load.assign(e.getKey(), in));
      }
      runner.run().close();
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }
}
