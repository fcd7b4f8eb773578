package dev.batchinfer.worker.infer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.models.Batching;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.OutputSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultFormatterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ModelConfig config(int topK, List<String> labels) {
    return new ModelConfig("shapes", "2.1.0", "test model", "serving_default",
        new InputSpec("pixels", "uint8", List.of(4), 0.0, 255.0),
        new OutputSpec("probabilities", topK, labels),
        new Batching(64, List.of(32, 64)),
        java.util.Map.of(),
        null);
  }

  private static JsonNode parse(String line) throws Exception {
    return JSON.readTree(line);
  }

  @Test
  void top_indexes_lists_the_largest_values_first() {
    float[] values = {0.1f, 0.6f, 0.05f, 0.25f};

    assertThat(ResultFormatter.topIndexes(values, 0, 4, 3)).containsExactly(1, 3, 0);
  }

  @Test
  void top_indexes_keeps_the_lower_class_first_on_ties() {
    float[] values = {0.2f, 0.3f, 0.2f, 0.3f, 0.0f};

    assertThat(ResultFormatter.topIndexes(values, 0, 5, 4)).containsExactly(1, 3, 0, 2);
    assertThat(ResultFormatter.topIndexes(new float[] {0.5f, 0.5f, 0.5f}, 0, 3, 2)).containsExactly(0, 1);
  }

  @Test
  void top_indexes_with_k_equal_to_the_class_count_sorts_every_class() {
    float[] values = {0.3f, 0.1f, 0.4f, 0.2f};

    assertThat(ResultFormatter.topIndexes(values, 0, 4, 4)).containsExactly(2, 0, 3, 1);
  }

  @Test
  void top_indexes_with_k_1_is_the_arg_max() {
    assertThat(ResultFormatter.topIndexes(new float[] {0.1f, 0.2f, 0.7f}, 0, 3, 1)).containsExactly(2);
    assertThat(ResultFormatter.topIndexes(new float[] {0.9f, 0.05f, 0.05f}, 0, 3, 1)).containsExactly(0);
  }

  @Test
  void top_indexes_reads_only_its_own_row() {
    float[] rows = {
      0.9f, 0.1f, 0.0f, // row 0
      0.0f, 0.2f, 0.8f, // row 1
    };

    assertThat(ResultFormatter.topIndexes(rows, 3, 3, 2)).containsExactly(2, 1);
  }

  @Test
  void result_line_is_json_with_label_class_id_score_top_k_and_model_version() throws Exception {
    ResultFormatter f = new ResultFormatter(config(2, List.of("circle", "square", "triangle")));
    float[] probabilities = {
      0.1f, 0.2f, 0.7f,
      0.6f, 0.3f, 0.1f,
    };

    String line = f.result(41, probabilities, 1);

    assertThat(line).startsWith("{\"index\":41,");
    JsonNode n = parse(line);
    assertThat(n.get("index").asLong()).isEqualTo(41);
    JsonNode r = n.get("result");
    assertThat(r.get("label").asText()).isEqualTo("circle");
    assertThat(r.get("class_id").asInt()).isZero();
    assertThat(r.get("score").floatValue()).isEqualTo(0.6f);
    assertThat(r.get("top_k")).hasSize(2);
    assertThat(r.get("top_k").get(0).get("label").asText()).isEqualTo("circle");
    assertThat(r.get("top_k").get(0).get("score").floatValue()).isEqualTo(0.6f);
    assertThat(r.get("top_k").get(1).get("label").asText()).isEqualTo("square");
    assertThat(r.get("top_k").get(1).get("score").floatValue()).isEqualTo(0.3f);
    assertThat(r.get("model_version").asText()).isEqualTo("2.1.0");
  }

  @Test
  void top_k_is_capped_at_the_number_of_labels() throws Exception {
    ResultFormatter f = new ResultFormatter(config(5, List.of("yes", "no")));

    JsonNode r = parse(f.result(0, new float[] {0.4f, 0.6f}, 0)).get("result");

    assertThat(r.get("top_k")).hasSize(2);
    assertThat(r.get("label").asText()).isEqualTo("no");
  }

  @Test
  void tiny_scores_and_labels_needing_escapes_still_give_valid_json() throws Exception {
    ResultFormatter f = new ResultFormatter(config(2, List.of("say \"hi\"", "back\\slash\nnewline")));

    JsonNode r = parse(f.result(7, new float[] {1.0e-9f, 1.0f - 1.0e-9f}, 0)).get("result");

    assertThat(r.get("label").asText()).isEqualTo("back\\slash\nnewline");
    assertThat(r.get("top_k").get(1).get("label").asText()).isEqualTo("say \"hi\"");
    assertThat(r.get("top_k").get(1).get("score").floatValue()).isEqualTo(1.0e-9f);
  }

  @Test
  void error_line_is_json_with_the_message_escaped() throws Exception {
    String message = "value \"x\" is bad\nsecond line\t\\ end";

    String line = ResultFormatter.error(12, "invalid_input", message);

    assertThat(line).startsWith("{\"index\":12,");
    assertThat(line).doesNotContain("\n");
    JsonNode n = parse(line);
    assertThat(n.get("index").asLong()).isEqualTo(12);
    assertThat(n.get("error").get("code").asText()).isEqualTo("invalid_input");
    assertThat(n.get("error").get("message").asText()).isEqualTo(message);
    assertThat(n.has("result")).isFalse();
  }

  @Test
  void result_lines_are_single_lines_so_they_fit_ndjson() {
    ResultFormatter f = new ResultFormatter(config(3, List.of("a\nb", "c", "d")));

    assertThat(f.result(0, new float[] {0.5f, 0.3f, 0.2f}, 0)).doesNotContain("\n");
  }

  @Test
  void a_row_with_nan_or_infinity_is_not_finite_and_other_rows_are() {
    ResultFormatter f = new ResultFormatter(config(2, List.of("yes", "no")));
    float[] rows = {0.5f, 0.5f, Float.NaN, 1f, 0f, Float.POSITIVE_INFINITY};
    assertThat(f.isFinite(rows, 0)).isTrue();
    assertThat(f.isFinite(rows, 1)).isFalse();
    assertThat(f.isFinite(rows, 2)).isFalse();
  }
}
