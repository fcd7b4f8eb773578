package dev.batchinfer.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.bench.part.Ceilings;
import dev.batchinfer.bench.part.P1Overhead;
import dev.batchinfer.bench.part.P3DynamicBatching;
import dev.batchinfer.bench.part.RunSettings;
import dev.batchinfer.bench.part.WarmUp;
import dev.batchinfer.bench.run.Ceiling;
import dev.batchinfer.bench.run.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed report as report.json has it: the parts' figures, and only the parts that ran. */
class BenchReportTest {

  private static Pipeline.Run run(String label, double seconds, double workerSeconds) {
    return new Pipeline.Run(label, 1000, 784_000, 0.1, seconds, workerSeconds, "b-" + label, null, null, null);
  }

  private static Ceiling.Result ceiling(String model, double itemsPerSecond) {
    Ceiling.Point best = new Ceiling.Point(128, 1, 2, itemsPerSecond);
    return new Ceiling.Result(model, best, List.of(best));
  }

  private static BenchReport report(P1Overhead.Result p1, P3DynamicBatching.Result p3) {
    Ceilings.Result ceilings = new Ceilings.Result(ceiling("cnn", 2000), ceiling("mlp", 10_000), ceiling("trivial", 1e6), 900);
    RunSettings settings = new RunSettings("256m", "384m", Map.of(), Map.of(), 1000, 20, 10, null, null);
    return new BenchReport("now", "test", Map.of("cores", 2), ceilings, settings, List.of(new WarmUp.Round(1, 10, 0.5)),
        p1, null, null, null, null, p3, null, null, null, null, null, 12);
  }

  /** CNN runs of 1 s, 0.5 s and 2 s (1000, 2000 and 500 items/s); MLP runs of 0.1 s and 0.2 s. */
  private static P1Overhead.Result p1() {
    List<Pipeline.Run> cnn = List.of(run("cnn", 1, 0.8), run("cnn", 0.5, 0.4), run("cnn", 2, 1.6));
    List<Pipeline.Run> mlp = List.of(run("mlp", 0.1, 0.05), run("mlp", 0.2, 0.1));
    return new P1Overhead.Result(cnn, mlp, run("cnn json", 1.25, 1), List.of(2000.0, 1000.0, 3000.0, 1000.0), 1400,
        List.of(0.5, 1.0, 0.25), List.of(0.6, 1.2, 0.3), 4096, new Ceiling.Point(128, 1, 2, 2000),
        new Ceiling.Point(128, 1, 2, 10_000));
  }

  @Test
  void p1_takes_the_median_run_and_pairs_the_json_run_with_the_ceilings_around_it() {
    Map<String, Object> p1 = p1().json();
    assertThat(Markdown.get(p1, "cnn.items_per_second")).isEqualTo(1000L);
    assertThat(Markdown.get(p1, "cnn.repeats_items_per_second")).isEqualTo(List.of(1000L, 2000L, 500L));
    assertThat(p1.get("cnn_ratio_to_ceiling")).isEqualTo(0.5);
    assertThat(p1.get("cnn_paired_ratio_median")).isEqualTo(0.5);
    assertThat(p1.get("cnn_worker_paired_ratio_median")).isEqualTo(0.6);
    // 800 items/s against the mean of the last ceiling between runs (1000) and the one after it (1400).
    assertThat(p1.get("cnn_json_paired_ratio")).isEqualTo(0.667);
    // The upper of two: the 0.1 s run, 10,000 items/s.
    assertThat(p1.get("mlp_ratio_to_ceiling")).isEqualTo(1.0);
  }

  @Test
  void the_report_has_the_parts_that_ran_in_the_order_they_ran_and_the_summary_last() {
    P1Overhead.Result p1 = p1();
    P3DynamicBatching.Result p3 = new P3DynamicBatching.Result(List.of(run("one", 1, 1), run("one", 2, 2)), p1.mlpRuns());
    Map<String, Object> json = report(p1, p3).json();
    assertThat(json.keySet()).containsExactly("generated", "command", "machine", "ceilings", "settings",
        "warm_up_rounds", "p1_overhead", "p3_dynamic_batching", "elapsed_seconds", "summary");
    // Worker rates: the tuned median 20,000 items/s (the upper of 10,000 and 20,000) against 1,000.
    assertThat(Markdown.get(json, "p3_dynamic_batching.ratio")).isEqualTo(20.0);
    assertThat(Markdown.get(json, "ceilings.mlp_batch_of_one_items_per_second")).isEqualTo(900L);
    assertThat(json.get("warm_up_rounds")).isEqualTo(List.of(Map.of("cpu_seconds", 10.0, "jit_cpu_seconds", 0.5, "round", 1)));
    assertThat(Markdown.get(json, "settings")).isEqualTo(Map.of("api_max_heap", "256m", "worker_max_heap", "384m",
        "worker_settings_tuned", Map.of(), "api_settings", Map.of(), "chunk_max_items", 1000, "spike_seconds", 20,
        "spike_multiplier", 10.0));
  }

  @Test
  void the_files_are_the_json_and_the_markdown_and_no_spike_plot_without_a_spike(@TempDir Path out) throws Exception {
    ReportFiles.write(out, report(p1(), null));
    assertThat(Files.readString(out.resolve("report.json"))).contains("\"p1_overhead\"").doesNotContain("p5_spike");
    assertThat(Files.readString(out.resolve("report.md"))).contains("## Targets", "| P1 |");
    assertThat(out.resolve("spike.svg")).doesNotExist();
  }

  @Test
  void scale_out_efficiency_is_throughput_over_n_times_one_workers_and_the_report_judges_it() {
    // One worker 1,000/s; two 1,900/s (0.95); four 3,000/s (0.75); eight on too few partitions 2,000/s.
    List<dev.batchinfer.bench.part.P9ScaleOut.Point> points = List.of(
        new dev.batchinfer.bench.part.P9ScaleOut.Point(1, 4, 10_000, 10),
        new dev.batchinfer.bench.part.P9ScaleOut.Point(2, 4, 19_000, 10),
        new dev.batchinfer.bench.part.P9ScaleOut.Point(4, 4, 30_000, 10));
    var p9 = new dev.batchinfer.bench.part.P9ScaleOut.Result(3, true, java.time.Duration.ofMillis(40), points,
        new dev.batchinfer.bench.part.P9ScaleOut.Point(8, 4, 20_000, 10),
        List.of(new dev.batchinfer.bench.part.P9ScaleOut.Point(1, 16, 500, 1),
            new dev.batchinfer.bench.part.P9ScaleOut.Point(2, 16, 900, 1)));
    assertThat(p9.efficiency(points.get(1))).isEqualTo(0.95);
    assertThat(p9.efficiency(points.get(2))).isEqualTo(0.75);
    BenchReport r = new BenchReport("now", "test", Map.of("cores", 2), report(p1(), null).ceilings(), report(p1(), null).settings(),
        List.of(new WarmUp.Round(1, 10, 0.5)), p1(), null, null, null, null, null, null, null, null, p9, null, 12);
    Map<String, Object> json = r.json();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> summary = (List<Map<String, Object>>) json.get("summary");
    assertThat(summary).filteredOn(row -> row.get("measure").toString().contains("(2 x one worker's)"))
        .singleElement().satisfies(row -> assertThat(row.get("met")).isEqualTo(true));
    assertThat(summary).filteredOn(row -> row.get("measure").toString().contains("(4 x one worker's)"))
        .singleElement().satisfies(row -> assertThat(row.get("met")).isEqualTo(false));
    assertThat(summary).filteredOn(row -> row.get("measure").toString().contains("(8 x one worker's)"))
        .singleElement().satisfies(row -> assertThat(row.get("value")).isEqualTo("not measured"));
    assertThat(summary).filteredOn(row -> row.get("measure").toString().startsWith("CNN, real model"))
        .singleElement().satisfies(row -> assertThat(row.get("value")).isEqualTo(1.8));
    assertThat(Markdown.render(json)).contains("## P9: scale-out").contains("| 8 (capped) | 4 | 20,000 |")
        .contains("| 2 (CNN, pinned) | 16 |");
  }

  @Test
  void p10_sets_the_median_worker_rates_side_by_side_with_the_padding_share() {
    // Worker rates 1,250, 1,000 and 2,000 items/s without; 1,000, 1,250 and 500 with.
    List<Pipeline.Run> without = List.of(run("any", 1, 0.8), run("any", 1, 1), run("any", 1, 0.5));
    List<Pipeline.Run> with = List.of(run("allowed", 1, 1), run("allowed", 1, 0.8), run("allowed", 1, 2));
    var p10 = new dev.batchinfer.bench.part.P10AllowedSizes.Result(without, with,
        new dev.batchinfer.bench.run.WorkerCounters(3000, 200));
    BenchReport r = new BenchReport("now", "test", Map.of("cores", 2), report(p1(), null).ceilings(),
        report(p1(), null).settings(), List.of(new WarmUp.Round(1, 10, 0.5)), p1(), null, null, null, null, null, null,
        null, null, null, p10, 12);

    Map<String, Object> json = r.json();
    assertThat(Markdown.get(json, "p10_allowed_batch_sizes.worker_rate_ratio")).isEqualTo(0.8);
    assertThat(Markdown.get(json, "p10_allowed_batch_sizes.padding_rows")).isEqualTo(200L);
    assertThat(Markdown.get(json, "p10_allowed_batch_sizes.padding_share_of_rows")).isEqualTo(0.063);
    assertThat(Markdown.get(json, "p10_allowed_batch_sizes.cnn_with_allowed_sizes.worker_items_per_second")).isEqualTo(1000L);
    assertThat(Markdown.render(json)).contains("| P10 | CNN: worker rate with allowed batch sizes [32, 64, 128, 256]",
        "| allowed | 1,000 |");
    assertThat(report(p1(), null).json()).doesNotContainKey("p10_allowed_batch_sizes");
  }
}
