package dev.batchinfer.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
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
 * Trains the Fashion-MNIST CNN ({@link CnnGraph}) with Adam and a cosine-decayed learning rate on
 * shuffled, optionally augmented minibatches, with inverted dropout on the dense layer whose masks
 * come from the seeded Java stream. Hands back plain weights; the export builds its own graph.
 *
 * <p>With {@code validationItems > 0} the last that many items of the training file are held back
 * and their accuracy is logged per epoch: that is how hyper-parameters were chosen, never the test
 * set. The published run uses all 60k training items.
 */
public final class CnnTrainer {

  private static final Logger log = LoggerFactory.getLogger(CnnTrainer.class);

  public record Config(CnnGraph.Dims dims, int epochs, int batchSize, float learningRate,
                       float learningRateFloor, float dropout, Augment.Policy augment, long seed,
                       int validationItems) {
    public Config {
      if (epochs <= 0 || batchSize <= 0 || !(learningRate > 0)) {
        throw new IllegalArgumentException("epochs, batch size and learning rate must be positive");
      }
      if (!(dropout >= 0 && dropout < 1) || !(learningRateFloor >= 0 && learningRateFloor <= 1)) {
        throw new IllegalArgumentException("dropout must be in [0, 1), learning-rate floor in [0, 1]");
      }
      if (validationItems < 0) {
        throw new IllegalArgumentException("validation items must be >= 0");
      }
    }
  }

  /** What came out of a run; {@code validationAccuracy} is empty unless items were held back. */
  public record Outcome(NamedWeights weights, List<Double> epochLosses, List<Double> validationAccuracy,
                        int trainItems, long steps, double seconds) {}

  private final Config config;

  public CnnTrainer(Config config) {
    this.config = config;
  }

  public Outcome train(FashionMnist.Split all) {
    int features = FashionMnist.FEATURES;
    int classes = FashionMnist.CLASSES;
    int dense = config.dims().dense();
    int trainItems = all.count() - config.validationItems();
    if (trainItems <= 0) {
      throw new IllegalArgumentException("validation items leave nothing to train on");
    }
    Seeds seeds = new Seeds(config.seed());
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TUint8> pixels = TrainingGraph.pixels(tf);
      Placeholder<TInt32> labels = TrainingGraph.labels(tf);
      Placeholder<TFloat32> mask = tf.withName("dropout_mask")
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, dense)));

      Map<String, Variable<TFloat32>> vars = GraphVariables.create(tf, CnnGraph.init(config.dims(), seeds));
      Operand<TFloat32> logits = CnnGraph.logits(tf, pixels, vars, config.dropout() > 0 ? mask : null);
      Operand<TFloat32> loss = TrainingGraph.meanCrossEntropy(tf, logits, labels, classes);
      ScheduledAdam adam = new ScheduledAdam(graph);
      Op minimize = adam.minimize(loss);
      // Same variables, no dropout: what the exported graph computes.
      Operand<TFloat32> evalLogits = CnnGraph.logits(tf.withSubScope("eval"), pixels, vars, null);

      try (Session session = new Session(graph)) {
        session.initialize();
        long start = System.nanoTime();
        List<Double> epochLosses = new ArrayList<>();
        List<Double> validation = new ArrayList<>();
        int batch = config.batchSize();
        long stepsPerEpoch = (trainItems + batch - 1) / batch;
        long totalSteps = stepsPerEpoch * config.epochs();
        long steps = 0;
        int[] order = new int[trainItems];
        byte[] batchPixels = new byte[batch * features];
        int[] batchLabels = new int[batch];
        float[] maskValues = new float[batch * dense];
        java.util.Arrays.fill(maskValues, 1f);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
          seeds.shuffle(order);
          double lossSum = 0;
          for (int from = 0; from < trainItems; from += batch) {
            int n = Math.min(batch, trainItems - from);
            for (int i = 0; i < n; i++) {
              int item = order[from + i];
              Augment.apply(all.pixels(), item * features, batchPixels, i * features, config.augment(),
                  seeds.augment());
              batchLabels[i] = all.label(item);
            }
            if (config.dropout() > 0) {
              seeds.dropoutMask(maskValues, n * dense, config.dropout());
            }
            float lr = ScheduledAdam.cosine(config.learningRate(), config.learningRateFloor(), steps, totalSteps);
            try (TUint8 x = TUint8.tensorOf(Shape.of(n, features),
                     DataBuffers.of(batchPixels, true, false).slice(0, (long) n * features));
                 TInt32 y = TInt32.tensorOf(Shape.of(n), DataBuffers.of(batchLabels, true, false).slice(0, n));
                 TFloat32 m = TFloat32.tensorOf(Shape.of(n, dense),
                     DataBuffers.of(maskValues, true, false).slice(0, (long) n * dense));
                 TFloat32 rate = TFloat32.scalarOf(lr)) {
              Session.Runner runner = session.runner().feed(pixels, x).feed(labels, y)
                  .feed(adam.learningRate(), rate);
              if (config.dropout() > 0) {
                runner.feed(mask, m);
              }
              try (Result out = runner.addTarget(minimize).fetch(loss).run()) {
                lossSum += ((TFloat32) out.get(0)).getFloat() * n;
              }
            }
            steps++;
          }
          double meanLoss = lossSum / trainItems;
          epochLosses.add(meanLoss);
          String val = "";
          if (config.validationItems() > 0) {
            double acc = accuracy(session, pixels, evalLogits, all, trainItems, all.count());
            validation.add(acc);
            val = ", validation accuracy " + String.format("%.4f", acc);
          }
          log.info("epoch {}/{}: mean training loss {}{} ({} s)", epoch, config.epochs(),
              String.format("%.4f", meanLoss), val, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        }
        NamedWeights weights = GraphVariables.read(session, vars);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(weights, List.copyOf(epochLosses), List.copyOf(validation), trainItems, steps, seconds);
      }
    }
  }

  private static double accuracy(Session session, Placeholder<TUint8> pixels, Operand<TFloat32> logits,
                                 FashionMnist.Split split, int from, int to) {
    int features = FashionMnist.FEATURES;
    int classes = FashionMnist.CLASSES;
    int correct = 0;
    float[] values = new float[512 * classes];
    for (int start = from; start < to; start += 512) {
      int n = Math.min(512, to - start);
      try (TUint8 x = TUint8.tensorOf(Shape.of(n, features),
               DataBuffers.of(split.pixels(), true, false).slice((long) start * features, (long) n * features));
           Result out = session.runner().feed(pixels, x).fetch(logits).run()) {
        ((TFloat32) out.get(0)).copyTo(DataBuffers.of(values, false, false).slice(0, (long) n * classes));
      }
      for (int i = 0; i < n; i++) {
        if (ConfusionMatrix.argMax(values, i * classes, classes) == split.label(start + i)) {
          correct++;
        }
      }
    }
    return (double) correct / (to - from);
  }
}
