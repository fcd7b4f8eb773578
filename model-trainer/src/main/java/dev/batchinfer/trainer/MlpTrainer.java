package dev.batchinfer.trainer;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * Trains the 784-H-10 ReLU MLP with Adam on shuffled minibatches and hands back plain weights.
 *
 * <p>The training graph (with Adam's slot variables) lives only inside {@link #train}; the export
 * builds its own graph from the returned {@link MlpWeights}.
 */
public final class MlpTrainer {

  private static final Logger log = LoggerFactory.getLogger(MlpTrainer.class);

  /** Hyper-parameters; everything that decides the result besides the data. */
  public record Config(int hidden, int epochs, int batchSize, float learningRate, long seed) {
    public Config {
      if (hidden <= 0 || epochs <= 0 || batchSize <= 0 || !(learningRate > 0)) {
        throw new IllegalArgumentException("hidden, epochs, batch size and learning rate must be positive");
      }
    }
  }

  /** What came out of a run. {@code epochLosses} are mean training cross-entropy per epoch. */
  public record Outcome(MlpWeights weights, List<Double> epochLosses, int trainItems, long steps,
                        double seconds) {}

  private final Config config;

  public MlpTrainer(Config config) {
    this.config = config;
  }

  public Outcome train(FashionMnist.Split train) {
    int inputs = FashionMnist.FEATURES;
    int classes = FashionMnist.CLASSES;
    Seeds seeds = new Seeds(config.seed());
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TUint8> pixels = TrainingGraph.pixels(tf);
      Placeholder<TInt32> labels = TrainingGraph.labels(tf);

      Variable<TFloat32> w1 = variable(tf, MlpGraph.HIDDEN_KERNEL, Shape.of(inputs, config.hidden()),
          seeds.glorotUniform(inputs, config.hidden()));
      Variable<TFloat32> b1 = variable(tf, MlpGraph.HIDDEN_BIAS, Shape.of(config.hidden()),
          new float[config.hidden()]);
      Variable<TFloat32> w2 = variable(tf, MlpGraph.OUTPUT_KERNEL, Shape.of(config.hidden(), classes),
          seeds.glorotUniform(config.hidden(), classes));
      Variable<TFloat32> b2 = variable(tf, MlpGraph.OUTPUT_BIAS, Shape.of(classes), new float[classes]);

      Operand<TFloat32> logits = MlpGraph.logits(tf, pixels, w1, b1, w2, b2);
      Operand<TFloat32> loss = TrainingGraph.meanCrossEntropy(tf, logits, labels, classes);
      Op minimize = new Adam(graph, config.learningRate()).minimize(loss);

      try (Session session = new Session(graph)) {
        session.initialize();
        long start = System.nanoTime();
        List<Double> epochLosses = new ArrayList<>();
        long steps = 0;
        int[] order = new int[train.count()];
        byte[] batchPixels = new byte[config.batchSize() * inputs];
        int[] batchLabels = new int[config.batchSize()];
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
          seeds.shuffle(order);
          double lossSum = 0;
          for (int from = 0; from < order.length; from += config.batchSize()) {
            // The last, smaller batch is kept: the placeholders have a dynamic batch dimension.
            int n = Math.min(config.batchSize(), order.length - from);
            for (int i = 0; i < n; i++) {
              int item = order[from + i];
              System.arraycopy(train.pixels(), item * inputs, batchPixels, i * inputs, inputs);
              batchLabels[i] = train.label(item);
            }
            try (TUint8 x = TUint8.tensorOf(Shape.of(n, inputs),
                     DataBuffers.of(batchPixels, true, false).slice(0, (long) n * inputs));
                 TInt32 y = TInt32.tensorOf(Shape.of(n), DataBuffers.of(batchLabels, true, false).slice(0, n));
                 Result out = session.runner().feed(pixels, x).feed(labels, y)
                     .addTarget(minimize).fetch(loss).run()) {
              lossSum += ((TFloat32) out.get(0)).getFloat() * n;
            }
            steps++;
          }
          double meanLoss = lossSum / order.length;
          epochLosses.add(meanLoss);
          log.info("epoch {}/{}: mean training loss {} ({} s)", epoch, config.epochs(),
              String.format("%.4f", meanLoss), String.format("%.1f", (System.nanoTime() - start) / 1e9));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        MlpWeights weights = new MlpWeights(inputs, config.hidden(), classes,
            read(session, w1), read(session, b1), read(session, w2), read(session, b2));
        return new Outcome(weights, List.copyOf(epochLosses), train.count(), steps, seconds);
      }
    }
  }

  private static Variable<TFloat32> variable(Ops tf, String name, Shape shape, float[] initial) {
    // The seeded Java values become the variable's initializer, so the run is reproducible.
    return tf.withName(name).variable(tf.constant(shape, DataBuffers.of(initial, true, false)));
  }

  private static float[] read(Session session, Variable<TFloat32> variable) {
    try (Result out = session.runner().fetch(variable).run()) {
      TFloat32 t = (TFloat32) out.get(0);
      float[] values = new float[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }
}
