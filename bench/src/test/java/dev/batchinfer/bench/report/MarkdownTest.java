package dev.batchinfer.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownTest {

  @Test
  void targetsAreJudgedFromTheMeasuredValues() {
    Map<String, Object> r = Map.of(
        "p1_overhead", Map.of("cnn_paired_ratio_median", 0.9, "cnn_ratio_to_ceiling", 0.8,
            "mlp_ratio_to_ceiling", 0.4),
        "p2_pipeline_ceiling", Map.of("run", Map.of("items_per_second", 40_000L)),
        "p5_spike", Map.of("http_5xx", 0L, "submit_latency", Map.of("p99_ms", 120.0)));
    List<Map<String, Object>> rows = Markdown.summary(r);
    assertThat(met(rows, "CNN pipeline")).isEqualTo(true);
    assertThat(met(rows, "trivial model")).isEqualTo(false);
    assertThat(met(rows, "HTTP 5xx")).isEqualTo(true);
    assertThat(met(rows, "submit latency")).isEqualTo(false);
    assertThat(met(rows, "MLP pipeline")).isNull(); // no target
    // A missing measurement (a part left out with --only) is not judged either way.
    assertThat(met(rows, "worker rate")).isNull();
    assertThat(value(rows, "worker rate")).isEqualTo("not measured");
    assertThat(value(rows, "CNN pipeline")).isEqualTo(0.9);
  }

  @Test
  void aSpikeAtAnotherMultipleThanTenIsReportedNotJudged() {
    Map<String, Object> r = Map.of("settings", Map.of("spike_multiplier", 23.0),
        "p5_spike", Map.of("http_5xx", 0L, "submit_latency", Map.of("p99_ms", 82.0)));
    List<Map<String, Object>> rows = Markdown.summary(r);
    assertThat(met(rows, "submit latency p99 during the spike")).isNull();
    assertThat((String) rows.stream().filter(x -> x.get("value").equals(82.0)).findFirst().orElseThrow().get("measure"))
        .contains("at 23x the drain rate");
    assertThat(met(rows, "HTTP 5xx")).isEqualTo(true);
  }

  @Test
  void dottedPathsReachIntoNestedMaps() {
    assertThat(Markdown.get(Map.of("a", Map.of("b", 3)), "a.b")).isEqualTo(3);
    assertThat(Markdown.get(Map.of("a", 1), "a.b")).isNull();
  }

  private static Object value(List<Map<String, Object>> rows, String measure) {
    return rows.stream().filter(r -> ((String) r.get("measure")).contains(measure)).findFirst().orElseThrow().get("value");
  }

  private static Object met(List<Map<String, Object>> rows, String measure) {
    return rows.stream().filter(r -> ((String) r.get("measure")).contains(measure)).findFirst().orElseThrow().get("met");
  }
}
