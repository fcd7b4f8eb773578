package dev.batchinfer.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TUint8;

/**
 * Trains a model and publishes {@code <out>/<model>/<version>/}: the lean SavedModel plus
 * config.yaml, evaluation_report.json (measured through the exported SavedModel),
 * training_config.yaml and data_manifest.json. See model-trainer/README.md for the command.
 */
public final class TrainerMain {

  private static final Logger log = LoggerFactory.getLogger(TrainerMain.class);
  static final int EVAL_BATCH_SIZE = 512;
  /**
   * Serving loads every version into memory: an export may hold the weights once (4 bytes each)
   * plus a small graph. Optimizer slots or constant-baked weights would at least double that.
   */
  static long maxLeanBytes(long parameters) {
    return 4 * parameters + 256 * 1024;
  }

  private TrainerMain() {}

  public static void main(String[] argv) throws Exception {
    // Each model has options of its own: --model says whose the rest are.
    if (CliOptions.peek(argv, "model", TrainerArgs.FLAGS).filter(LanguageIdArgs.MODEL::equals).isPresent()) {
      LanguageIdTrainerMain.run(LanguageIdArgs.parse(argv));
      return;
    }
    run(TrainerArgs.parse(argv));
  }

  static void run(TrainerArgs args) throws Exception {
    long wallStart = System.nanoTime();
    Path versionDir = args.versionDir().toAbsolutePath().normalize();
    if (ModelDirs.isNonEmptyDir(versionDir) && !args.overwrite()) {
      // Published versions are immutable by default: serving may already have loaded this one.
      throw new IllegalStateException(versionDir + " already exists; bump --version or pass --overwrite");
    }
    boolean cnn = "cnn".equals(args.arch());
    log.info("TensorFlow {}; training {} {} ({}), output {}", TensorFlow.version(), args.model(),
        args.version(), cnn ? args.cnnConfig() : args.trainerConfig(), versionDir);

    FashionMnist.Split train = FashionMnist.train(args.dataDir());
    FashionMnist.Split test = FashionMnist.test(args.dataDir());
    DataManifest manifest = DataManifest.of(args.dataDir(), train, test);
    log.info("loaded {} training and {} test items from {}", train.count(), test.count(), args.dataDir());

    Path staging = ModelDirs.stagingFor(versionDir);
    ModelDirs.deleteRecursively(staging);
    String description;
    String trainingConfig;
    long parameters;
    if (cnn) {
      CnnTrainer.Outcome outcome = new CnnTrainer(args.cnnConfig()).train(train);
      log.info("trained in {} s ({} steps)", String.format("%.1f", outcome.seconds()), outcome.steps());
      SavedModelExporter.export(staging, outcome.weights(), SavedModelExporter.INPUT, TUint8.class,
          Shape.of(-1, FashionMnist.FEATURES), (tf, pixels, w) -> CnnGraph.logits(tf, pixels, w, null));
      description = ArtifactWriter.cnnDescription(args.cnnConfig().dims(), args.dropout());
      parameters = outcome.weights().parameterCount();
      trainingConfig = ArtifactWriter.trainingConfigYaml(args, outcome, TensorFlow.version());
    } else {
      MlpTrainer.Outcome outcome = new MlpTrainer(args.trainerConfig()).train(train);
      log.info("trained in {} s ({} steps)", String.format("%.1f", outcome.seconds()), outcome.steps());
      SavedModelExporter.export(outcome.weights(), staging);
      description = ArtifactWriter.description(args.hidden());
      parameters = outcome.weights().parameterCount();
      trainingConfig = ArtifactWriter.trainingConfigYaml(args, outcome, TensorFlow.version());
    }
    long savedModelBytes = ModelDirs.savedModelBytes(staging);
    if (savedModelBytes > maxLeanBytes(parameters)) {
      throw new IllegalStateException("SavedModel is " + savedModelBytes + " bytes for " + parameters
          + " parameters: not lean");
    }

    // The training graph and session are closed by now: this loads the exported files from disk.
    SavedModelEvaluator.Evaluation evaluation = SavedModelEvaluator.evaluate(staging, test, EVAL_BATCH_SIZE);
    log.info("test accuracy through the exported SavedModel: {} ({} items)",
        String.format("%.4f", evaluation.confusion().accuracy()), evaluation.confusion().total());

    ArtifactWriter.writeTo(staging, ArtifactWriter.CONFIG, ArtifactWriter.configYaml(ArtifactWriter.config(
        args.model(), args.version(), description, FashionMnist.LABELS, FashionMnist.FEATURES)));
    ArtifactWriter.writeTo(staging, ArtifactWriter.EVALUATION, ArtifactWriter.evaluationJson(args.model(),
        args.version(), versionDir, evaluation, FashionMnist.LABELS));
    ArtifactWriter.writeTo(staging, ArtifactWriter.TRAINING_CONFIG, trainingConfig);
    ArtifactWriter.writeTo(staging, ArtifactWriter.DATA_MANIFEST, ArtifactWriter.dataManifestJson(manifest));

    ModelDirs.publish(staging, versionDir);
    log.info("published {}: SavedModel {} KB, folder {} KB, total run {} s", versionDir,
        savedModelBytes / 1024, ModelDirs.sizeInBytes(versionDir) / 1024,
        String.format("%.1f", (System.nanoTime() - wallStart) / 1e9));
    if (!Files.isRegularFile(versionDir.resolve("saved_model.pb"))) {
      throw new IllegalStateException("publish failed: no saved_model.pb in " + versionDir);
    }
  }
}
