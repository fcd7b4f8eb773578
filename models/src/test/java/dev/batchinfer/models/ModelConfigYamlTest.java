package dev.batchinfer.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigYamlTest {

  static final ModelConfig PIXELS = new ModelConfig("fashion-mnist", "1.0.0", "MLP 784-256-10", "serving_default",
      new InputSpec("pixels", "uint8", List.of(784), 0.0, 255.0),
      new OutputSpec("probabilities", 3, List.of("T-shirt/top", "Ankle boot")),
      new Batching(512, List.of(128, 256, 512)), null, null);

  static final ModelConfig TEXT = new ModelConfig("language-id", "1.0.0",
      "hashed character 1-4-grams: mean of embeddings, linear softmax", "serving_default",
      new InputSpec("text", "string", List.of(), null, null, 4096),
      // "no" and "on" would read back as booleans if written bare.
      new OutputSpec("probabilities", 3, List.of("en", "no", "on")),
      new Batching(512, List.of(128, 256, 512)), Map.of("supported_languages", List.of("en", "no", "on")), null);

  /** Every batching field set: allowed sizes and a cost. */
  static final ModelConfig SHAPED = new ModelConfig("language-id", "1.1.0", "text", "serving_default",
      new InputSpec("text", "string", List.of(), null, null, 4096),
      new OutputSpec("probabilities", 3, List.of("en", "de")),
      new Batching(256, List.of(128), List.of(32, 64, 128, 256), new BatchCost(BatchCost.By.TOKENS, 8192)), null, null);

  @TempDir Path root;

  @Test
  void a_written_config_reads_back_equal() throws Exception {
    for (ModelConfig config : List.of(PIXELS, TEXT, SHAPED)) {
      assertThat(ModelConfigYaml.parse(ModelConfigYaml.write(config))).isEqualTo(config);
    }
  }

  @Test
  void the_text_has_the_header_snake_case_keys_and_no_nulls_or_directory() {
    String pixels = ModelConfigYaml.write(PIXELS.withDirectory(Path.of("/somewhere")));

    assertThat(pixels).startsWith(ModelConfigYaml.HEADER + "model: fashion-mnist\n")
        .contains("\n  min: 0\n  max: 255\n", "top_k: 3", "max_batch_size: 512", "preferred_batch_sizes:")
        .doesNotContain("null", "max_bytes", "directory", "somewhere");
    assertThat(ModelConfigYaml.write(TEXT)).contains("max_bytes: 4096", "shape: []").doesNotContain("min:", "max:");
    assertThat(pixels).doesNotContain("allowed_batch_sizes", "batch_cost");
    assertThat(ModelConfigYaml.write(SHAPED)).contains("allowed_batch_sizes:", "batch_cost:", "by: tokens", "max: 8192");
  }

  @Test
  void the_catalogue_loads_what_was_written() throws Exception {
    for (ModelConfig config : List.of(PIXELS, TEXT)) {
      Path dir = Files.createDirectories(root.resolve(config.model()).resolve(config.version()));
      Files.writeString(dir.resolve("config.yaml"), ModelConfigYaml.write(config));
    }

    ModelCatalog catalog = ModelCatalog.load(root);

    assertThat(catalog.resolve("fashion-mnist")).get().isEqualTo(PIXELS.withDirectory(root.resolve("fashion-mnist/1.0.0")));
    assertThat(catalog.resolve("language-id")).get().isEqualTo(TEXT.withDirectory(root.resolve("language-id/1.0.0")));
  }

  @Test
  void every_committed_config_survives_a_rewrite() throws Exception {
    Path artifacts = committedArtifacts();
    List<Path> files;
    try (Stream<Path> s = Files.find(artifacts, 3, (p, a) -> p.getFileName().toString().equals("config.yaml"))) {
      files = s.sorted().toList();
    }

    assertThat(files).as("config.yaml files under %s", artifacts).hasSizeGreaterThanOrEqualTo(3);
    for (Path file : files) {
      ModelConfig committed = ModelConfigYaml.read(file);
      assertThat(ModelConfigYaml.parse(ModelConfigYaml.write(committed))).as("%s", file).isEqualTo(committed);
    }
  }

  /** The repository's model-artifacts/, found from the module directory the tests run in. */
  static Path committedArtifacts() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("model-artifacts/registry.yaml"))) {
        return p.resolve("model-artifacts");
      }
    }
    throw new IllegalStateException("no model-artifacts/registry.yaml above " + Path.of("").toAbsolutePath());
  }
}
