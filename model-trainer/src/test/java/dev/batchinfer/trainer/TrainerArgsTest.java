package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainerArgsTest {

  @Test
  void parses_the_documented_command_line() {
    TrainerArgs args = TrainerArgs.parse("--model", "fashion-mnist", "--version", "1.0.0", "--arch", "mlp",
        "--epochs", "10", "--seed", "42", "--out", "model-artifacts");

    assertThat(args.epochs()).isEqualTo(10);
    assertThat(args.seed()).isEqualTo(42);
    assertThat(args.versionDir()).isEqualTo(Path.of("model-artifacts", "fashion-mnist", "1.0.0"));
    assertThat(args.overwrite()).isFalse();
  }

  @Test
  void defaults_are_the_agreed_mlp_settings() {
    TrainerArgs args = TrainerArgs.parse();

    assertThat(args.trainerConfig()).isEqualTo(new MlpTrainer.Config(256, 10, 128, 0.001f, 42));
    assertThat(args.dataDir()).isEqualTo(FashionMnist.DEFAULT_DIR);
  }

  @Test
  void overwrite_is_a_flag_without_value() {
    assertThat(TrainerArgs.parse("--overwrite", "--epochs", "3").overwrite()).isTrue();
  }

  @Test
  void rejects_unknown_options_instead_of_ignoring_them() {
    assertThatThrownBy(() -> TrainerArgs.parse("--epoch", "3")).hasMessageContaining("unknown option --epoch");
  }

  @Test
  void rejects_architectures_that_are_not_implemented() {
    assertThatThrownBy(() -> TrainerArgs.parse("--arch", "rnn")).hasMessageContaining("only --arch mlp and --arch cnn");
  }

  @Test
  void parses_the_documented_cnn_command_line() {
    TrainerArgs args = TrainerArgs.parse("--model", "fashion-mnist", "--version", "2.0.0", "--arch", "cnn",
        "--hidden", "128", "--filters", "32,64", "--epochs", "25", "--dropout", "0.5", "--augment", "flip+shift2",
        "--lr-floor", "0.05");

    CnnTrainer.Config config = args.cnnConfig();
    assertThat(config.dims()).isEqualTo(new CnnGraph.Dims(32, 64, 128));
    assertThat(config.dropout()).isEqualTo(0.5f);
    assertThat(config.augment()).isEqualTo(new Augment.Policy(true, 2));
    assertThat(config.learningRateFloor()).isEqualTo(0.05f);
    assertThat(config.validationItems()).isZero();
    assertThat(args.versionDir()).isEqualTo(Path.of("model-artifacts", "fashion-mnist", "2.0.0"));
  }

  @Test
  void cnn_only_options_are_refused_for_the_mlp() {
    assertThatThrownBy(() -> TrainerArgs.parse("--dropout", "0.5")).hasMessageContaining("--arch cnn");
    assertThatThrownBy(() -> TrainerArgs.parse("--arch", "cnn", "--dropout", "1")).hasMessageContaining("--dropout");
  }

  @Test
  void rejects_versions_that_are_not_semver() {
    assertThatThrownBy(() -> TrainerArgs.parse("--version", "../x")).hasMessageContaining("--version");
  }

  @Test
  void rejects_non_numeric_values() {
    assertThatThrownBy(() -> TrainerArgs.parse("--epochs", "ten")).hasMessageStartingWith("--epochs ten: not a number");
    assertThatThrownBy(() -> TrainerArgs.parse("--arch", "cnn", "--filters", "32,x"))
        .hasMessageStartingWith("--filters 32,x: not a number");
    assertThatThrownBy(() -> TrainerArgs.parse("--filters", "32")).hasMessageContaining("two counts");
  }
}
