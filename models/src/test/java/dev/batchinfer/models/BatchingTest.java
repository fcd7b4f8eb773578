package dev.batchinfer.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingTest {

  @TempDir Path root;

  private Path write(String input, String batching) throws Exception {
    Path dir = Files.createDirectories(root.resolve("m").resolve("1.0.0"));
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, """
        model: m
        version: 1.0.0
        signature: serving_default
        input: %s
        output: {name: probabilities, top_k: 1, labels: [a, b]}
        batching: %s
        """.formatted(input, batching));
    return file;
  }

  private static final String PIXELS = "{name: pixels, dtype: uint8, shape: [4], min: 0, max: 255}";
  private static final String TEXT = "{name: text, dtype: string, shape: [], max_bytes: 64}";

  @Test
  void allowed_sizes_and_a_cost_are_read_and_defaults_apply_without_them() throws Exception {
    write(TEXT, "{max_batch_size: 256, allowed_batch_sizes: [32, 64, 128, 256], batch_cost: {by: tokens, max: 4096}}");
    Batching b = ModelCatalog.load(root).resolve("m").orElseThrow().batching();

    assertThat(b.allowedSizes()).containsExactly(32, 64, 128, 256);
    assertThat(b.cost()).isEqualTo(new BatchCost(BatchCost.By.TOKENS, 4096));

    Batching plain = new Batching(512, List.of(128));
    assertThat(plain.allowedSizes()).isEmpty();
    assertThat(plain.cost()).isEqualTo(new BatchCost(BatchCost.By.ITEMS, 512));
  }

  @Test
  void allowed_sizes_must_be_ascending_positive_and_within_max_batch_size() throws Exception {
    for (String bad : List.of("[64, 32]", "[32, 32]", "[0, 8]", "[]", "[32, 1024]")) {
      Path file = write(PIXELS, "{max_batch_size: 512, allowed_batch_sizes: " + bad + "}");
      assertThatThrownBy(() -> ModelCatalog.load(root)).as(bad).isInstanceOf(ModelCatalogException.class)
          .hasMessageContaining(file.toString()).hasMessageContaining("m@1.0.0")
          .hasMessageContaining("allowed_batch_sizes");
    }
    assertThatThrownBy(() -> {
      write(PIXELS, "{max_batch_size: 512, allowed_batch_sizes: [32, 1024]}");
      ModelCatalog.load(root);
    }).hasMessageContaining("above max_batch_size 512");
  }

  @Test
  void a_cost_needs_a_known_measure_a_positive_max_and_tokens_only_for_text() throws Exception {
    write(PIXELS, "{max_batch_size: 512, batch_cost: {by: tokens, max: 100}}");
    assertThatThrownBy(() -> ModelCatalog.load(root)).hasMessageContaining("m@1.0.0")
        .hasMessageContaining("only for text");

    write(PIXELS, "{max_batch_size: 512, batch_cost: {by: input_bytes, max: 0}}");
    assertThatThrownBy(() -> ModelCatalog.load(root)).hasMessageContaining("batch_cost.max must be >= 1");

    write(PIXELS, "{max_batch_size: 512, batch_cost: {max: 10}}");
    assertThatThrownBy(() -> ModelCatalog.load(root)).hasMessageContaining("needs \"by\"");

    Path file = write(PIXELS, "{max_batch_size: 512, batch_cost: {by: words, max: 10}}");
    assertThatThrownBy(() -> ModelCatalog.load(root)).hasMessageContaining(file.toString())
        .hasMessageContaining("input_bytes");

    write(PIXELS, "{max_batch_size: 512, batch_cost: {by: input_bytes, max: 4096}}");
    assertThat(ModelCatalog.load(root).resolve("m").orElseThrow().batching().cost().by()).isEqualTo(BatchCost.By.INPUT_BYTES);
  }

  @Test
  void an_items_cost_is_its_count_of_whitespace_separated_tokens_or_bytes_and_at_least_one() {
    byte[] text = "  le chat\tnoir\n  dort ".getBytes(StandardCharsets.UTF_8);
    assertThat(BatchCost.By.TOKENS.of(text, 0, text.length)).isEqualTo(4);
    assertThat(BatchCost.By.TOKENS.of(text, 2, 7)).as("\"le chat\"").isEqualTo(2);
    byte[] accents = "naïve café über".getBytes(StandardCharsets.UTF_8);
    assertThat(BatchCost.By.TOKENS.of(accents, 0, accents.length)).isEqualTo(3);
    assertThat(BatchCost.By.TOKENS.of(text, 0, 2)).as("whitespace only").isEqualTo(1);
    assertThat(BatchCost.By.INPUT_BYTES.of(accents, 0, accents.length)).isEqualTo(accents.length);
    assertThat(BatchCost.By.ITEMS.of(accents, 0, accents.length)).isEqualTo(1);
  }
}
