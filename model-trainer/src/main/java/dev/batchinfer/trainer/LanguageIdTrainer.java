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
import org.tensorflow.types.TString;

/**
 * Trains {@link LanguageIdGraph} on raw strings: the training graph contains the same in-graph
 * preprocessing as the export, so what is trained is exactly what serves. Adam with a cosine
 * learning-rate decay, shuffled minibatches; all randomness from {@link Seeds}.
 */
public final class LanguageIdTrainer {

  private static final Logger log = LoggerFactory.getLogger(LanguageIdTrainer.class);

  public record Config(LanguageIdGraph.Dims dims, int epochs, int batchSize, float learningRate,
                       float learningRateFloor, long seed) {}

  public record Outcome(NamedWeights weights, List<Double> epochLosses, List<Double> validationAccuracy,
                        int trainItems, long steps, double seconds) {}

  private final Config config;

  public LanguageIdTrainer(Config config) {
    this.config = config;
  }

  /**
   * @param labels label index per training text
   * @param validation texts/labels whose accuracy is logged after each epoch (may be empty)
   * @param seeds the run's random streams (weights come from here, so pass a fresh one per run)
   */
  public Outcome train(List<String> texts, int[] labels, List<String> validationTexts, int[] validationLabels,
                       Seeds seeds) {
    LanguageIdGraph.Dims d = config.dims();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TString> text = tf.withName("text").placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> label = TrainingGraph.labels(tf);
      Map<String, Variable<TFloat32>> vars = GraphVariables.create(tf, LanguageIdGraph.init(d, seeds));
      Operand<TFloat32> logits = LanguageIdGraph.logits(tf, text, vars, d);
      Operand<TFloat32> loss = TrainingGraph.meanCrossEntropy(tf, logits, label, d.classes());
      ScheduledAdam adam = new ScheduledAdam(graph);
      Op minimize = adam.minimize(loss);

      try (Session session = new Session(graph)) {
        session.initialize();
        long start = System.nanoTime();
        int n = texts.size();
        int batch = config.batchSize();
        long totalSteps = (long) ((n + batch - 1) / batch) * config.epochs();
        long steps = 0;
        int[] order = new int[n];
        List<Double> losses = new ArrayList<>();
        List<Double> validation = new ArrayList<>();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
          seeds.shuffle(order);
          double lossSum = 0;
          for (int from = 0; from < n; from += batch) {
            int size = Math.min(batch, n - from);
            String[] batchTexts = new String[size];
            int[] batchLabels = new int[size];
            for (int i = 0; i < size; i++) {
              batchTexts[i] = texts.get(order[from + i]);
              batchLabels[i] = labels[order[from + i]];
            }
            float lr = ScheduledAdam.cosine(config.learningRate(), config.learningRateFloor(), steps, totalSteps);
            try (TString x = TString.vectorOf(batchTexts);
                 TInt32 y = TInt32.tensorOf(Shape.of(size), DataBuffers.of(batchLabels, true, false));
                 TFloat32 rate = TFloat32.scalarOf(lr);
                 Result out = session.runner().feed(text, x).feed(label, y).feed(adam.learningRate(), rate)
                     .addTarget(minimize).fetch(loss).run()) {
              lossSum += ((TFloat32) out.get(0)).getFloat() * size;
            }
            steps++;
          }
          losses.add(lossSum / n);
          String val = "";
          if (!validationTexts.isEmpty()) {
            double acc = accuracy(session, text, logits, validationTexts, validationLabels, d.classes());
            validation.add(acc);
            val = ", validation accuracy " + String.format("%.4f", acc);
          }
          log.info("epoch {}/{}: mean training loss {}{} ({} s)", epoch, config.epochs(),
              String.format("%.4f", lossSum / n), val, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(GraphVariables.read(session, vars), List.copyOf(losses), List.copyOf(validation), n, steps,
            seconds);
      }
    }
  }

  private static double accuracy(Session session, Placeholder<TString> text, Operand<TFloat32> logits,
                                 List<String> texts, int[] labels, int classes) {
    int correct = 0;
    float[] values = new float[512 * classes];
    for (int from = 0; from < texts.size(); from += 512) {
      int size = Math.min(512, texts.size() - from);
      try (TString x = TString.vectorOf(texts.subList(from, from + size).toArray(String[]::new));
           Result out = session.runner().feed(text, x).fetch(logits).run()) {
        ((TFloat32) out.get(0)).copyTo(DataBuffers.of(values, false, false).slice(0, (long) size * classes));
      }
      for (int i = 0; i < size; i++) {
        if (ConfusionMatrix.argMax(values, i * classes, classes) == labels[from + i]) {
          correct++;
        }
      }
    }
    return (double) correct / texts.size();
  }
}
