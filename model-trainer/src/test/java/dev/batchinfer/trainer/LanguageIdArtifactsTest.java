package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.ModelConfigYaml;
import java.util.List;
import org.junit.jupiter.api.Test;

class LanguageIdArtifactsTest {

  @Test
  void config_yaml_takes_strings_and_lists_the_languages() throws Exception {
    ModelConfig config = LanguageIdArtifacts.config("1.0.0", "d", List.of("de", "fr", "en"));

    ModelConfig read = ModelConfigYaml.parse(ArtifactWriter.configYaml(config));

    assertThat(read).isEqualTo(config);
    assertThat(read.input().type()).isEqualTo(InputSpec.DType.STRING);
    assertThat(read.input().shape()).isEmpty();
    assertThat(read.input().maxBytes()).isEqualTo(LanguageIdArtifacts.MAX_BYTES);
    assertThat(read.output().labels()).containsExactly("de", "fr", "en");
    assertThat(read.metadata()).containsEntry("supported_languages", List.of("de", "fr", "en"));
  }

  @Test
  void the_description_reads_back_as_one_string() throws Exception {
    LanguageIdGraph.Dims dims = new LanguageIdGraph.Dims(1, 4, 16, 32, 512, 16);

    ModelConfig config = ModelConfigYaml.parse(ArtifactWriter.configYaml(
        LanguageIdArtifacts.config("1.0.0", LanguageIdArtifacts.description(dims), List.of("de", "fr"))));

    assertThat(config.description()).startsWith("Language identification").contains("1-4-grams")
        .isEqualTo(LanguageIdArtifacts.description(dims));
  }

  @Test
  void evaluation_report_headlines_the_committed_sample_and_keeps_the_full_split_apart() throws Exception {
    List<String> labels = List.of("de", "fr");
    List<LanguageIdCorpus.Sample> committed = List.of(
        new LanguageIdCorpus.Sample("de", "kurz"), new LanguageIdCorpus.Sample("fr", "y".repeat(30)));
    LanguageIdMetrics.Measured sample = LanguageIdMetrics.measure(committed, new int[] {1, 1}, labels);
    LanguageIdMetrics.Measured full = LanguageIdMetrics.measure(committed, new int[] {0, 1}, labels);

    JsonNode report = ArtifactWriter.JSON.readTree(LanguageIdArtifacts.evaluationJson("1.0.0", "1.0.0", labels,
        sample, 2, full, 512, 1e-7, List.of("tar")));

    assertThat(report.path("accuracy").asDouble()).isEqualTo(0.5);
    assertThat(report.path("min20").path("accuracy").asDouble()).isEqualTo(1.0);
    assertThat(report.path("by_length").path("<20").path("items").asInt()).isEqualTo(1);
    assertThat(report.path("by_length").path("20-50").path("accuracy").asDouble()).isEqualTo(1.0);
    assertThat(report.path("per_language").path("fr").path("recall").asDouble()).isEqualTo(1.0);
    assertThat(report.path("confusion_matrix").path("counts").get(0).get(1).asInt()).isEqualTo(1);
    assertThat(report.path("full_test_split").path("accuracy").asDouble()).isEqualTo(1.0);
    assertThat(report.path("heldout_file").asText()).isEqualTo("heldout.tsv");
  }
}
