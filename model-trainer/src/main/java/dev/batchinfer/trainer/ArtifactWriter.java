package dev.batchinfer.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.batchinfer.models.Batching;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.ModelConfigYaml;
import dev.batchinfer.models.OutputSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tensorflow.framework.optimizers.Adam;

/**
 * Writes the files that sit beside the SavedModel. The text is built here (not in TrainerMain) so
 * tests can check the shapes other modules parse; config.yaml is a {@link ModelConfig}, written by
 * {@link ModelConfigYaml}, the reader's own mapper.
 */
public final class ArtifactWriter {

  public static final String CONFIG = "config.yaml";
  public static final String EVALUATION = "evaluation_report.json";
  public static final String TRAINING_CONFIG = "training_config.yaml";
  public static final String DATA_MANIFEST = "data_manifest.json";

  static final String LOSS = "softmax cross-entropy on one-hot labels, batch mean";

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .build());

  private ArtifactWriter() {}

  /** What every model of this trainer is batched for. */
  static final Batching BATCHING = new Batching(512, List.of(128, 256, 512));

  /** The fashion-mnist config.yaml: raw uint8 pixels in, a probability per label out. */
  public static ModelConfig config(String model, String version, String description, List<String> labels,
                                   int features) {
    return new ModelConfig(model, version, description, SavedModelExporter.SIGNATURE_KEY,
        new InputSpec(SavedModelExporter.INPUT, "uint8", List.of(features), 0.0, 255.0), output(labels), BATCHING,
        null, null);
  }

  /** The output block every classifier here shares: the signature's output key, top 3 labels. */
  static OutputSpec output(List<String> labels) {
    return new OutputSpec(SavedModelExporter.OUTPUT, 3, List.copyOf(labels));
  }

  /** config.yaml's text, through the same mapper the serving side reads it with. */
  public static String configYaml(ModelConfig config) {
    return ModelConfigYaml.write(config);
  }

  public static String description(int hidden) {
    return "Fashion-MNIST clothing classifier, MLP %d-%d-%d"
        .formatted(FashionMnist.FEATURES, hidden, FashionMnist.CLASSES);
  }

  /** The CNN's one-line description for config.yaml. */
  public static String cnnDescription(CnnGraph.Dims d, float dropout) {
    return "Fashion-MNIST clothing classifier, CNN conv3x3(%d)-maxpool2-conv3x3(%d)-maxpool2-dense%d-%d%s"
        .formatted(d.filters1(), d.filters2(), d.dense(), FashionMnist.CLASSES,
            dropout > 0 ? " (dropout %s on the dense layer in training)".formatted(Float.toString(dropout)) : "");
  }

  /** evaluation_report.json: accuracy, per-class precision/recall and the confusion matrix. */
  public static String evaluationJson(String model, String version, Path savedModelDir,
                                      SavedModelEvaluator.Evaluation evaluation, List<String> labels) {
    ConfusionMatrix cm = evaluation.confusion();
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    root.put("version", version);
    root.put("dataset", "fashion-mnist t10k (held-out test set, never used for training)");
    root.put("measured_through", "fresh SavedModelBundle load of " + savedModelDir.getFileName()
        + ", tag " + SavedModelExporter.TAG + ", signature " + SavedModelExporter.SIGNATURE_KEY
        + ", raw uint8 pixels, batches of " + evaluation.batchSize());
    root.put("num_test_items", cm.total());
    root.put("correct", cm.correct());
    root.put("accuracy", round(cm.accuracy()));
    double macroPrecision = 0;
    double macroRecall = 0;
    ObjectNode perClass = root.putObject("per_class");
    for (int c = 0; c < cm.classes(); c++) {
      ObjectNode node = perClass.putObject(labels.get(c));
      node.put("label", c);
      node.put("precision", round(cm.precision(c)));
      node.put("recall", round(cm.recall(c)));
      node.put("support", cm.support(c));
      macroPrecision += cm.precision(c);
      macroRecall += cm.recall(c);
    }
    root.put("macro_precision", round(macroPrecision / cm.classes()));
    root.put("macro_recall", round(macroRecall / cm.classes()));
    putMatrix(root.putObject("confusion_matrix"), cm, labels, 1);
    root.put("probability_row_sum_max_error", evaluation.maxRowSumError());
    return write(JSON, root);
  }

  /** training_config.yaml: everything needed to repeat the run, plus how long it took. */
  public static String trainingConfigYaml(TrainerArgs args, MlpTrainer.Outcome outcome, String tensorflowVersion) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", args.model());
    root.put("version", args.version());
    root.put("architecture", ordered(
        "type", args.arch(),
        "layers", List.of(FashionMnist.FEATURES, args.hidden(), FashionMnist.CLASSES),
        "hidden_activation", "relu",
        "output", "softmax",
        "input_normalisation", "cast uint8 to float32, divide by 255 (inside the graph)",
        "parameters", outcome.weights().parameterCount()));
    // The trainer uses Adam's defaults for these; report what the library actually used.
    root.put("optimizer", optimizer("adam", Adam.BETA_ONE_DEFAULT, Adam.BETA_TWO_DEFAULT, Adam.EPSILON_DEFAULT));
    root.put("loss", LOSS);
    root.put("learning_rate", asDouble(args.learningRate()));
    root.put("epochs", args.epochs());
    root.put("batch_size", args.batchSize());
    root.put("seed", args.seed());
    root.put("weight_init", "glorot uniform kernels, zero biases (java.util.SplittableRandom from seed)");
    root.put("shuffle", "Fisher-Yates every epoch (SplittableRandom from seed)");
    root.put("train_items", outcome.trainItems());
    putRun(root, outcome.steps(), outcome.epochLosses(), outcome.seconds(), tensorflowVersion);
    return write(YAML, root);
  }

  /** training_config.yaml of a CNN run. */
  public static String trainingConfigYaml(TrainerArgs args, CnnTrainer.Outcome outcome, String tensorflowVersion) {
    CnnTrainer.Config c = args.cnnConfig();
    CnnGraph.Dims d = c.dims();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", args.model());
    root.put("version", args.version());
    root.put("architecture", ordered(
        "type", "cnn",
        "layers", List.of(
            "input uint8 [-1, 784] -> float32 / 255 -> reshape [-1, 28, 28, 1]",
            "conv 3x3, %d filters, stride 1, SAME, relu".formatted(d.filters1()),
            "maxpool 2x2, stride 2",
            "conv 3x3, %d filters, stride 1, SAME, relu".formatted(d.filters2()),
            "maxpool 2x2, stride 2",
            "flatten %d".formatted(d.flat()),
            "dense %d, relu".formatted(d.dense()),
            c.dropout() > 0 ? "dropout %s (training only; inverted, so inference needs no scaling)"
                .formatted(Float.toString(c.dropout())) : "no dropout",
            "dense %d, softmax".formatted(FashionMnist.CLASSES)),
        "input_normalisation", "cast uint8 to float32, divide by 255 (inside the graph)",
        "parameters", outcome.weights().parameterCount()));
    root.put("optimizer", scheduledAdam());
    root.put("loss", LOSS);
    root.put("learning_rate", asDouble(c.learningRate()));
    root.put("learning_rate_schedule", c.learningRateFloor() == 1 ? "constant"
        : "cosine decay per step from %s to %s x that over all steps"
            .formatted(Float.toString(c.learningRate()), Float.toString(c.learningRateFloor())));
    root.put("epochs", c.epochs());
    root.put("batch_size", c.batchSize());
    root.put("dropout", asDouble(c.dropout()));
    root.put("augmentation", c.augment().toString()
        + " (training only: mirror left-right with p 0.5 / shift up to N px, zero fill)");
    root.put("seed", c.seed());
    root.put("weight_init", "glorot uniform kernels (fans include the 3x3 window), zero biases "
        + "(java.util.SplittableRandom from seed)");
    root.put("shuffle", "Fisher-Yates every epoch (SplittableRandom from seed); dropout masks and "
        + "augmentation from their own seeded streams");
    root.put("train_items", outcome.trainItems());
    if (c.validationItems() > 0) {
      root.put("validation_items", c.validationItems());
      root.put("epoch_validation_accuracy", outcome.validationAccuracy().stream().map(ArtifactWriter::round).toList());
    }
    putRun(root, outcome.steps(), outcome.epochLosses(), outcome.seconds(), tensorflowVersion);
    return write(YAML, root);
  }

  public static String dataManifestJson(DataManifest manifest) {
    return write(JSON, manifest);
  }

  public static void writeTo(Path dir, String fileName, String content) throws IOException {
    Files.writeString(dir.resolve(fileName), content.endsWith("\n") ? content : content + "\n");
  }

  /** The rows/columns/labels/counts of a confusion matrix; {@code depth}: nesting level of {@code m}. */
  static void putMatrix(ObjectNode m, ConfusionMatrix cm, List<String> labels, int depth) {
    m.put("rows", "true label");
    m.put("columns", "predicted label");
    ArrayNode l = m.putArray("labels");
    labels.forEach(l::add);
    // One line per true label, indented to line up with Jackson's: a 10x10 matrix printed one
    // number per line is unreadable.
    String indent = "  ".repeat(depth + 1);
    m.putRawValue("counts", new RawValue(matrixRows(cm.counts(), indent + "  ", indent)));
  }

  /** The optimizer block of training_config.yaml. */
  static Map<String, Object> optimizer(String name, float beta1, float beta2, float epsilon) {
    return ordered("name", name, "beta_1", asDouble(beta1), "beta_2", asDouble(beta2), "epsilon", asDouble(epsilon));
  }

  /** The optimizer block for {@link ScheduledAdam} (CNN and language-id runs). */
  static Map<String, Object> scheduledAdam() {
    return optimizer("adam (ApplyAdam with a fed learning rate)", ScheduledAdam.BETA_ONE, ScheduledAdam.BETA_TWO,
        ScheduledAdam.EPSILON);
  }

  /** The closing keys every training_config.yaml ends with: how the run went and on what. */
  static void putRun(Map<String, Object> root, long steps, List<Double> epochLosses, double seconds,
                     String tensorflowVersion) {
    root.put("steps", steps);
    root.put("epoch_mean_loss", epochLosses.stream().map(ArtifactWriter::round).toList());
    root.put("training_time_seconds", Math.round(seconds * 10) / 10.0);
    root.put("tensorflow", "TensorFlow Java 1.1.0 (runtime " + tensorflowVersion + "), CPU");
  }

  static String matrixRows(long[][] counts, String rowIndent, String closingIndent) {
    return counts.length == 0 ? "[ ]" : Arrays.stream(counts)
        .map(row -> Arrays.stream(row).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]")))
        .collect(Collectors.joining(",\n" + rowIndent, "[\n" + rowIndent, "\n" + closingIndent + "]"));
  }

  static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  /** Via Float.toString so 0.001f prints as 0.001, not 0.0010000000474974513. */
  static double asDouble(float value) {
    return Double.parseDouble(Float.toString(value));
  }

  static double round(double value) {
    return Math.round(value * 1_000_000) / 1_000_000.0;
  }

  static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
