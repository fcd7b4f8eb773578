package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LanguageIdMetricsTest {

  private static final List<String> LABELS = List.of("de", "fr");

  @Test
  void measures_overall_at_least_20_characters_and_per_length_bucket() {
    List<LanguageIdCorpus.Sample> samples = List.of(
        new LanguageIdCorpus.Sample("de", "kurz"),                       // <20, wrong
        new LanguageIdCorpus.Sample("de", "x".repeat(20)),               // 20-50, right
        new LanguageIdCorpus.Sample("fr", "y".repeat(60)),               // 50-100, right
        new LanguageIdCorpus.Sample("fr", "z".repeat(150)));             // >=100, wrong
    int[] predicted = {1, 0, 1, 0};

    LanguageIdMetrics.Measured m = LanguageIdMetrics.measure(samples, predicted, LABELS);

    assertThat(m.all().total()).isEqualTo(4);
    assertThat(m.all().accuracy()).isEqualTo(0.5);
    assertThat(m.min20().total()).isEqualTo(3);
    assertThat(m.min20().correct()).isEqualTo(2);
    assertThat(m.buckets().get(LanguageIdSplit.Bucket.UNDER_20).accuracy()).isZero();
    assertThat(m.buckets().get(LanguageIdSplit.Bucket.FROM_20_TO_50).accuracy()).isEqualTo(1.0);
    assertThat(m.buckets().get(LanguageIdSplit.Bucket.FROM_50_TO_100).accuracy()).isEqualTo(1.0);
    assertThat(m.buckets().get(LanguageIdSplit.Bucket.FROM_100).accuracy()).isZero();
    assertThat(m.all().counts()[1]).containsExactly(1, 1);
  }

  @Test
  void rejects_labels_the_model_does_not_know_and_mismatched_lengths() {
    assertThatThrownBy(() -> LanguageIdMetrics.measure(List.of(new LanguageIdCorpus.Sample("xx", "t")), new int[1],
        LABELS)).hasMessageContaining("unknown label xx");
    assertThatThrownBy(() -> LanguageIdMetrics.measure(List.of(), new int[1], LABELS))
        .hasMessageContaining("predictions");
  }
}
