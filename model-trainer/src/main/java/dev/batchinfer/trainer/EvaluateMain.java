package dev.batchinfer.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.models.ModelConfigYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Independent check of a published model, meant to run in its own JVM: loads the folder, checks
 * the signature contract, re-measures test accuracy through {@code serving_default} and fails if
 * it differs from what evaluation_report.json claims.
 *
 * <p>Usage: {@code EvaluateMain [--dir model-artifacts/fashion-mnist/1.0.0] [--data-dir ...]}. A
 * language-id folder (one with heldout.tsv) is measured on its committed heldout.tsv instead.
 */
public final class EvaluateMain {

  private static final Logger log = LoggerFactory.getLogger(EvaluateMain.class);

  static final String USAGE = "usage: EvaluateMain [--dir DIR] [--data-dir DIR]";

  private EvaluateMain() {}

  public static void main(String[] argv) throws Exception {
    CliOptions options = CliOptions.parse(argv, Set.of("dir", "data-dir"), Set.of(), USAGE);
    Path dir = options.path("dir", Path.of("model-artifacts/fashion-mnist/1.0.0"));
    Path dataDir = options.path("data-dir", FashionMnist.DEFAULT_DIR);
    if (Files.isRegularFile(dir.resolve(HeldoutTsv.FILE))) {
      evaluateLanguageId(dir);
      return;
    }
    FashionMnist.Split test = FashionMnist.test(dataDir);
    SavedModelEvaluator.Evaluation evaluation =
        SavedModelEvaluator.evaluate(dir, test, TrainerMain.EVAL_BATCH_SIZE);
    ConfusionMatrix cm = evaluation.confusion();
    log.info("{}: signature contract ok, test accuracy {} ({} of {}), SavedModel {} KB", dir,
        String.format("%.4f", cm.accuracy()), cm.correct(), cm.total(), ModelDirs.savedModelBytes(dir) / 1024);

    Path report = dir.resolve(ArtifactWriter.EVALUATION);
    if (Files.exists(report)) {
      JsonNode claimed = ArtifactWriter.JSON.readTree(report.toFile());
      if (claimed.path("correct").asLong() != cm.correct() || claimed.path("num_test_items").asLong() != cm.total()) {
        throw new IllegalStateException(report + " claims " + claimed.path("correct") + "/"
            + claimed.path("num_test_items") + " correct, measured " + cm.correct() + "/" + cm.total());
      }
      log.info("matches {}", report);
    }
  }

  private static void evaluateLanguageId(Path dir) throws Exception {
    java.util.List<String> labels = ModelConfigYaml.read(dir.resolve(ArtifactWriter.CONFIG)).output().labels();
    java.util.List<LanguageIdCorpus.Sample> heldout = HeldoutTsv.read(dir.resolve(HeldoutTsv.FILE));
    TextModelEvaluator.Predictions predictions = TextModelEvaluator.predict(dir,
        heldout.stream().map(LanguageIdCorpus.Sample::text).toList(), labels.size(), TrainerMain.EVAL_BATCH_SIZE);
    LanguageIdMetrics.Measured m = LanguageIdMetrics.measure(heldout, predictions.predicted(), labels);
    log.info("{}: signature contract ok, heldout.tsv accuracy {} ({} of {}), >= 20 chars {} ({} items), SavedModel {} KB",
        dir, String.format("%.4f", m.all().accuracy()), m.all().correct(), m.all().total(),
        String.format("%.4f", m.min20().accuracy()), m.min20().total(), ModelDirs.savedModelBytes(dir) / 1024);
    m.buckets().forEach((b, cm) -> log.info("  {}: {} ({} items)", b.label, String.format("%.4f", cm.accuracy()),
        cm.total()));
    JsonNode claimed = ArtifactWriter.JSON.readTree(dir.resolve(ArtifactWriter.EVALUATION).toFile());
    if (claimed.path("correct").asLong() != m.all().correct() || claimed.path("num_test_items").asLong() != m.all().total()) {
      throw new IllegalStateException(dir + " evaluation_report.json claims " + claimed.path("correct") + "/"
          + claimed.path("num_test_items") + " correct, measured " + m.all().correct() + "/" + m.all().total());
    }
    log.info("matches {}", dir.resolve(ArtifactWriter.EVALUATION));
  }
}
