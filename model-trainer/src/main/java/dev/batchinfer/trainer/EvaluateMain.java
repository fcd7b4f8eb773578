package dev.batchinfer.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Independent check of a published model, meant to run in its own JVM: loads the folder, checks
 * the signature contract, re-measures test accuracy through {@code serving_default} and fails if
 * it differs from what evaluation_report.json claims.
 *
 * <p>Usage: {@code EvaluateMain [--dir model-artifacts/fashion-mnist/1.0.0] [--data-dir ...]}
 */
public final class EvaluateMain {

  private static final Logger log = LoggerFactory.getLogger(EvaluateMain.class);

  private EvaluateMain() {}

  public static void main(String[] argv) throws Exception {
    Path dir = Path.of("model-artifacts/fashion-mnist/1.0.0");
    Path dataDir = FashionMnist.DEFAULT_DIR;
    for (int i = 0; i + 1 < argv.length; i += 2) {
      switch (argv[i]) {
        case "--dir" -> dir = Path.of(argv[i + 1]);
        case "--data-dir" -> dataDir = Path.of(argv[i + 1]);
        default -> throw new IllegalArgumentException("usage: EvaluateMain [--dir DIR] [--data-dir DIR]");
      }
    }
    if (argv.length % 2 != 0) {
      throw new IllegalArgumentException("usage: EvaluateMain [--dir DIR] [--data-dir DIR]");
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
}
