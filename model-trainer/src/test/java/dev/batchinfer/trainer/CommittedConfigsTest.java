package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.ModelConfigYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed config.yaml files were written from text templates before config.yaml became a
 * {@link ModelConfig}: re-running the README's commands must describe the same models, value for
 * value (the text may differ in layout), so nothing needs re-training for the change of writer.
 */
class CommittedConfigsTest {

  static final Path ARTIFACTS = findArtifacts();

  @Test
  void fashion_mnist_1_0_0_is_what_the_mlp_command_writes() throws Exception {
    TrainerArgs args = TrainerArgs.parse("--model", "fashion-mnist", "--version", "1.0.0", "--arch", "mlp",
        "--epochs", "10", "--seed", "42", "--out", "model-artifacts");

    assertThat(written(ArtifactWriter.config(args.model(), args.version(), ArtifactWriter.description(args.hidden()),
        FashionMnist.LABELS, FashionMnist.FEATURES))).isEqualTo(committed("fashion-mnist/1.0.0"));
  }

  @Test
  void fashion_mnist_2_0_0_is_what_the_cnn_command_writes() throws Exception {
    TrainerArgs args = TrainerArgs.parse("--model", "fashion-mnist", "--version", "2.0.0", "--arch", "cnn",
        "--filters", "32,64", "--hidden", "256", "--epochs", "20", "--dropout", "0.5", "--augment", "flip",
        "--lr-floor", "0.05", "--seed", "42", "--out", "model-artifacts");
    String description = ArtifactWriter.cnnDescription(args.cnnConfig().dims(), args.dropout());

    assertThat(written(ArtifactWriter.config(args.model(), args.version(), description, FashionMnist.LABELS,
        FashionMnist.FEATURES))).isEqualTo(committed("fashion-mnist/2.0.0"));
  }

  @Test
  void language_id_1_0_0_is_what_the_language_id_command_writes() throws Exception {
    LanguageIdArgs args = LanguageIdArgs.parse("--model", "language-id", "--version", "1.0.0", "--epochs", "5",
        "--seed", "42", "--out", "model-artifacts");

    assertThat(written(LanguageIdArtifacts.config(args.version(), LanguageIdArtifacts.description(args.dims()),
        args.labels()))).isEqualTo(committed("language-id/1.0.0"));
  }

  /** Through the text, as a trainer would leave it on disk. */
  private static ModelConfig written(ModelConfig config) throws Exception {
    return ModelConfigYaml.parse(ArtifactWriter.configYaml(config));
  }

  private static ModelConfig committed(String versionDir) throws Exception {
    return ModelConfigYaml.read(ARTIFACTS.resolve(versionDir).resolve(ArtifactWriter.CONFIG));
  }

  /** The repository's model-artifacts/, found from the module directory the tests run in. */
  static Path findArtifacts() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("model-artifacts/registry.yaml"))) {
        return p.resolve("model-artifacts");
      }
    }
    throw new IllegalStateException("no model-artifacts/registry.yaml above " + Path.of("").toAbsolutePath());
  }
}
