package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.ModelConfigYaml;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArtifactWriterTest {

  @Test
  void config_yaml_has_the_agreed_shape() {
    String yaml = ArtifactWriter.configYaml(ArtifactWriter.config("fashion-mnist", "1.0.0",
        ArtifactWriter.description(256), FashionMnist.LABELS, FashionMnist.FEATURES));

    assertThat(yaml).isEqualTo("""
        # input.name: the JSON field name of each input item and the signature's input key
        model: fashion-mnist
        version: 1.0.0
        description: "Fashion-MNIST clothing classifier, MLP 784-256-10"
        signature: serving_default
        input:
          name: pixels
          dtype: uint8
          shape:
            - 784
          min: 0
          max: 255
        output:
          name: probabilities
          top_k: 3
          labels:
            - T-shirt/top
            - Trouser
            - Pullover
            - Dress
            - Coat
            - Sandal
            - Shirt
            - Sneaker
            - Bag
            - Ankle boot
        batching:
          max_batch_size: 512
          preferred_batch_sizes:
            - 128
            - 256
            - 512
        """);
  }

  @Test
  void config_yaml_reads_back_as_the_config_it_was_written_from() throws Exception {
    ModelConfig config = ArtifactWriter.config("fashion-mnist", "1.0.0", "d", FashionMnist.LABELS,
        FashionMnist.FEATURES);

    ModelConfig read = ModelConfigYaml.parse(ArtifactWriter.configYaml(config));

    assertThat(read).isEqualTo(config);
    assertThat(read.input().payloadBytes()).isEqualTo(784);
    assertThat(read.output().labels()).startsWith("T-shirt/top").endsWith("Ankle boot").hasSize(10);
  }

  @Test
  void evaluation_report_carries_accuracy_per_class_metrics_and_the_matrix() throws Exception {
    ConfusionMatrix cm = new ConfusionMatrix(2);
    cm.add(0, 0);
    cm.add(0, 0);
    cm.add(0, 1);
    cm.add(1, 1);
    String json = ArtifactWriter.evaluationJson("m", "1.0.0", Path.of("out/m/1.0.0"),
        new SavedModelEvaluator.Evaluation(cm, 512, 0), List.of("a", "b"));

    JsonNode report = ArtifactWriter.JSON.readTree(json);

    assertThat(report.path("num_test_items").asLong()).isEqualTo(4);
    assertThat(report.path("correct").asLong()).isEqualTo(3);
    assertThat(report.path("accuracy").asDouble()).isEqualTo(0.75);
    assertThat(report.path("per_class").path("a").path("recall").asDouble()).isCloseTo(2.0 / 3, within(1e-6));
    assertThat(report.path("per_class").path("b").path("precision").asDouble()).isEqualTo(0.5);
    assertThat(report.path("per_class").path("b").path("support").asLong()).isEqualTo(1);
    JsonNode counts = report.path("confusion_matrix").path("counts");
    assertThat(counts.get(0).get(0).asLong()).isEqualTo(2);
    assertThat(counts.get(0).get(1).asLong()).isEqualTo(1);
    assertThat(counts.get(1).get(1).asLong()).isEqualTo(1);
    assertThat(json).contains("[2, 1],\n      [0, 1]");
  }

  @Test
  void training_config_records_what_is_needed_to_repeat_the_run() throws Exception {
    TrainerArgs args = TrainerArgs.parse("--epochs", "3", "--seed", "7", "--hidden", "2");
    MlpWeights weights = new MlpWeights(784, 2, 10,
        new float[784 * 2], new float[2], new float[2 * 10], new float[10]);
    MlpTrainer.Outcome outcome = new MlpTrainer.Outcome(weights, List.of(0.5, 0.4, 0.3), 60000, 1407, 12.34);

    JsonNode yaml = ArtifactWriter.YAML.readTree(ArtifactWriter.trainingConfigYaml(args, outcome, "2.18.0"));

    assertThat(yaml.path("architecture").path("layers").toString()).isEqualTo("[784,2,10]");
    assertThat(yaml.path("optimizer").path("name").asText()).isEqualTo("adam");
    assertThat(yaml.path("learning_rate").asText()).isEqualTo("0.001");
    assertThat(yaml.path("epochs").asInt()).isEqualTo(3);
    assertThat(yaml.path("batch_size").asInt()).isEqualTo(128);
    assertThat(yaml.path("seed").asLong()).isEqualTo(7);
    assertThat(yaml.path("training_time_seconds").asDouble()).isEqualTo(12.3);
  }

  @Test
  void data_manifest_uses_snake_case_and_keeps_hashes() throws Exception {
    DataManifest manifest = new DataManifest("fashion-mnist", FashionMnist.SOURCE,
        List.of(new DataManifest.Entry("train-images", "/x/train.gz", 10, "ab", 60000)), 60000, 10000);

    JsonNode json = ArtifactWriter.JSON.readTree(ArtifactWriter.dataManifestJson(manifest));

    assertThat(json.path("source").asText()).isEqualTo("Debian package dataset-fashion-mnist");
    assertThat(json.path("train_items").asInt()).isEqualTo(60000);
    assertThat(json.path("test_items").asInt()).isEqualTo(10000);
    assertThat(json.path("files").get(0).path("sha256").asText()).isEqualTo("ab");
  }

  @Test
  void cnn_description_names_the_architecture_and_stays_plain_yaml() throws Exception {
    String description = ArtifactWriter.cnnDescription(new CnnGraph.Dims(32, 64, 128), 0.5f);

    assertThat(description).isEqualTo("Fashion-MNIST clothing classifier, CNN conv3x3(32)-maxpool2-conv3x3(64)-maxpool2"
        + "-dense128-10 (dropout 0.5 on the dense layer in training)");
    assertThat(ArtifactWriter.cnnDescription(new CnnGraph.Dims(8, 16, 32), 0))
        .isEqualTo("Fashion-MNIST clothing classifier, CNN conv3x3(8)-maxpool2-conv3x3(16)-maxpool2-dense32-10");
    ModelConfig config = ModelConfigYaml.parse(ArtifactWriter.configYaml(ArtifactWriter.config("fashion-mnist",
        "2.0.0", description, FashionMnist.LABELS, FashionMnist.FEATURES)));
    assertThat(config.description()).isEqualTo(description);
  }

  @Test
  void cnn_training_config_records_layers_schedule_dropout_and_augmentation() throws Exception {
    TrainerArgs args = TrainerArgs.parse("--arch", "cnn", "--hidden", "128", "--epochs", "2", "--dropout", "0.5",
        "--augment", "flip", "--lr-floor", "0.05", "--validation-items", "100");
    NamedWeights weights = CnnGraph.init(args.cnnConfig().dims(), new Seeds(1));
    CnnTrainer.Outcome outcome = new CnnTrainer.Outcome(weights, List.of(0.5, 0.4), List.of(0.8, 0.9), 59900, 938, 40);

    JsonNode yaml = ArtifactWriter.YAML.readTree(ArtifactWriter.trainingConfigYaml(args, outcome, "2.18.0"));

    assertThat(yaml.path("architecture").path("type").asText()).isEqualTo("cnn");
    assertThat(yaml.path("architecture").path("layers")).hasSize(9);
    assertThat(yaml.path("architecture").path("parameters").asLong()).isEqualTo(weights.parameterCount());
    assertThat(yaml.path("learning_rate_schedule").asText()).startsWith("cosine");
    assertThat(yaml.path("dropout").asDouble()).isEqualTo(0.5);
    assertThat(yaml.path("augmentation").asText()).startsWith("flip ");
    assertThat(yaml.path("validation_items").asInt()).isEqualTo(100);
    assertThat(yaml.path("epoch_validation_accuracy")).hasSize(2);
  }
}
