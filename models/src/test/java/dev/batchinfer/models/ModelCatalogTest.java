package dev.batchinfer.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

  @TempDir Path root;

  private void writeConfig(String model, String version) throws Exception {
    Path dir = Files.createDirectories(root.resolve(model).resolve(version));
    Files.writeString(dir.resolve("config.yaml"), """
        model: %s
        version: %s
        signature: serving_default
        input: {name: pixels, dtype: uint8, shape: [784], min: 0, max: 255}
        output: {name: probabilities, top_k: 3, labels: [a, b, c]}
        batching: {max_batch_size: 256, preferred_batch_sizes: [128]}
        extra_field_from_a_newer_trainer: ignored
        """.formatted(model, version));
  }

  @Test
  void newest_version_serves_when_the_registry_names_none() throws Exception {
    writeConfig("m", "1.9.0");
    writeConfig("m", "1.10.0");
    ModelCatalog catalog = ModelCatalog.load(root);
    assertThat(catalog.resolve("m")).get().extracting(ModelConfig::version).isEqualTo("1.10.0");
    assertThat(catalog.resolve("m").orElseThrow().input().payloadBytes()).isEqualTo(784);
    assertThat(catalog.resolve("other")).isEmpty();
  }

  @Test
  void registry_production_version_serves_by_default() throws Exception {
    writeConfig("m", "1.0.0");
    writeConfig("m", "2.0.0");
    Files.writeString(root.resolve("registry.yaml"), "models:\n  m:\n    production: 1.0.0\n");
    assertThat(ModelCatalog.load(root).resolve("m").orElseThrow().version()).isEqualTo("1.0.0");
  }

  @Test
  void registry_naming_a_missing_version_fails_with_the_path() throws Exception {
    writeConfig("m", "1.0.0");
    Files.writeString(root.resolve("registry.yaml"), "models:\n  m:\n    production: 3.0.0\n");
    assertThatThrownBy(() -> ModelCatalog.load(root)).isInstanceOf(ModelCatalogException.class).hasMessageContaining("3.0.0");
  }

  @Test
  void missing_folder_says_which_variable_to_set() {
    assertThatThrownBy(() -> ModelCatalog.load(root.resolve("nope"))).hasMessageContaining("MODEL_ARTIFACTS");
  }
}
