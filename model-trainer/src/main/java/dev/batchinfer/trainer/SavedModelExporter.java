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
import org.tensorflow.types.family.TType;

/**
 * Writes the serving SavedModel. The contract is fixed because other modules depend on it:
 * tag {@code serve}, signature {@code serving_default} ({@code tensorflow/serving/predict}),
 * output {@code probabilities} float32 [-1, classes]; Fashion-MNIST models take input
 * {@code pixels} uint8 [-1, 784] raw 0-255, language-id takes {@code text} string [-1].
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

  /** Builds the logits of a model from its input and its (already declared) weight variables. */
  @FunctionalInterface
  public interface InferenceGraph<I extends TType> {
    Operand<TFloat32> logits(Ops tf, Operand<I> input, Map<String, Operand<TFloat32>> weights);
  }

  public static void export(MlpWeights weights, Path dir) throws IOException {
    NamedWeights named = new NamedWeights()
        .add(MlpGraph.HIDDEN_KERNEL, Shape.of(weights.inputs(), weights.hidden()), weights.hiddenKernel())
        .add(MlpGraph.HIDDEN_BIAS, Shape.of(weights.hidden()), weights.hiddenBias())
        .add(MlpGraph.OUTPUT_KERNEL, Shape.of(weights.hidden(), weights.classes()), weights.outputKernel())
        .add(MlpGraph.OUTPUT_BIAS, Shape.of(weights.classes()), weights.outputBias());
    export(dir, named, INPUT, TUint8.class, Shape.of(-1, weights.inputs()),
        (tf, pixels, w) -> MlpGraph.logits(tf, pixels, w.get(MlpGraph.HIDDEN_KERNEL),
            w.get(MlpGraph.HIDDEN_BIAS), w.get(MlpGraph.OUTPUT_KERNEL), w.get(MlpGraph.OUTPUT_BIAS)));
  }

  /**
   * Exports {@code softmax(graph.logits(input, weights))} under the fixed signature, with input
   * {@code inputName} of {@code inputType}/{@code inputShape} and output {@link #OUTPUT}.
   */
  public static <I extends TType> void export(Path dir, NamedWeights weights, String inputName,
                                              Class<I> inputType, Shape inputShape,
                                              InferenceGraph<I> graph) throws IOException {
    Files.createDirectories(dir);
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<I> input = tf.withName(inputName).placeholder(inputType, Placeholder.shape(inputShape));

      // Variables without initializers: their values are assigned once below and then saved.
      Map<Variable<TFloat32>, float[]> values = new LinkedHashMap<>();
      Map<String, Operand<TFloat32>> operands = new LinkedHashMap<>();
      for (NamedWeights.Entry e : weights.entries()) {
        operands.put(e.name(), declare(tf, e.name(), e.shape(), e.values(), values));
      }

      Operand<TFloat32> probabilities = tf.withName(OUTPUT).nn.softmax(graph.logits(tf, input, operands));

      assignAll(tf, session, values);

      Signature signature = Signature.builder()
          .key(SIGNATURE_KEY)
          .methodName(METHOD_NAME)
          .input(inputName, input)
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
