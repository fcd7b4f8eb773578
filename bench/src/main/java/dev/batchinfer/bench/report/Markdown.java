package dev.batchinfer.bench.report;

import dev.batchinfer.bench.part.P10AllowedSizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.md from the report's data: the targets and ratios first, then the absolute figures. */
public final class Markdown {

  private Markdown() {}

  /** One row per target of issue #4: what was measured, the target, the value, met or not. */
  public static List<Map<String, Object>> summary(Map<String, Object> r) {
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(row("P1", "CNN pipeline throughput (raw upload) / bare-model ceiling measured just before and after each run (median)",
        ">= 0.85", num(r, "p1_overhead.cnn_paired_ratio_median"), num(r, "p1_overhead.cnn_paired_ratio_median") >= 0.85));
    rows.add(row("P1", "the same against the ceiling measured at the start (median run)", "",
        num(r, "p1_overhead.cnn_ratio_to_ceiling"), null));
    rows.add(row("P1", "the same with a JSON upload (base64 images; one run, paired alike)", "",
        num(r, "p1_overhead.cnn_json_paired_ratio"), null));
    rows.add(row("P1", "CNN workers' rate (first to last chunk) / the same ceiling (median)", "(no target)",
        num(r, "p1_overhead.cnn_worker_paired_ratio_median"), null));
    rows.add(row("P1", "MLP pipeline throughput / bare-model ceiling", "(no target)",
        num(r, "p1_overhead.mlp_ratio_to_ceiling"), null));
    rows.add(row("P2", "trivial model, one batch, items/s first byte to completed (a latency as much as a rate)", ">= 50,000",
        num(r, "p2_pipeline_ceiling.run.items_per_second"), num(r, "p2_pipeline_ceiling.run.items_per_second") >= 50_000));
    rows.add(row("P2", "trivial model, sustained: concurrent batches, items/s first submit to last completed ("
        + get(r, "p2_pipeline_ceiling.sustained.items") + " items in " + get(r, "p2_pipeline_ceiling.sustained.seconds")
        + " s)", ">= 50,000", num(r, "p2_pipeline_ceiling.sustained.items_per_second"),
        num(r, "p2_pipeline_ceiling.sustained.items_per_second") >= 50_000));
    rows.add(row("P3", "MLP: worker rate, tuned / max batch size 1", ">= 10x",
        num(r, "p3_dynamic_batching.ratio"), num(r, "p3_dynamic_batching.ratio") >= 10));
    rows.add(row("P8", "CNN: worker rate with metrics / without (median)", ">= 0.97",
        num(r, "p8_metrics_cost.cnn_worker_rate_ratio"), num(r, "p8_metrics_cost.cnn_worker_rate_ratio") >= 0.97));
    rows.add(row("P8", "trivial model: worker rate with metrics / without (median)", ">= 0.97",
        num(r, "p8_metrics_cost.trivial_worker_rate_ratio"), num(r, "p8_metrics_cost.trivial_worker_rate_ratio") >= 0.97));
    rows.add(row("P10", "CNN: worker rate with allowed batch sizes " + P10AllowedSizes.ALLOWED + " / without (median)",
        "(no target)", num(r, "p10_allowed_batch_sizes.worker_rate_ratio"), null));
    rows.add(row("P10", "CNN with allowed batch sizes: padding rows / rows called", "(no target)",
        num(r, "p10_allowed_batch_sizes.padding_share_of_rows"), null));
    rows.add(row("P4", "MLP: batch path / per-item sync serving", ">= 10x",
        num(r, "p4_per_item.mlp.batch_path_ratio"), num(r, "p4_per_item.mlp.batch_path_ratio") >= 10));
    rows.add(row("P4", "CNN: batch path / per-item sync serving", "(no target)",
        num(r, "p4_per_item.cnn.batch_path_ratio"), null));
    // The target is for a spike of 10x the drain rate; at another multiple (--spike-multiplier) it is reported, not judged.
    double multiplier = Double.isNaN(num(r, "settings.spike_multiplier")) ? 10 : num(r, "settings.spike_multiplier");
    boolean atTarget = multiplier == 10;
    rows.add(row("P5", "submit latency p99 during the spike (ms)" + (atTarget ? ""
        : ", at " + new java.text.DecimalFormat("0.#").format(multiplier) + "x the drain rate (the target is for 10x)"),
        "< 100", num(r, "p5_spike.submit_latency.p99_ms"), atTarget ? num(r, "p5_spike.submit_latency.p99_ms") < 100 : null));
    rows.add(row("P5", "the same at 2x the drain rate, below saturation (ms)", "(no target)",
        num(r, "p5_spike.below_saturation.submit_latency.p99_ms"), null));
    rows.add(row("P5", "HTTP 5xx during the spike", "0", num(r, "p5_spike.http_5xx"), num(r, "p5_spike.http_5xx") == 0));
    rows.add(row("P5", "worker rate spike-to-drained / rate alone (P1)", "(workers at full speed)",
        num(r, "p5_spike.mean_rate_ratio_to_p1"), null));
    rows.add(row("P6", "worker peak RSS (MB), whole run", "< 1024",
        num(r, "p6_memory.worker_peak_rss_mb"), num(r, "p6_memory.worker_peak_rss_mb") < 1024));
    rows.add(row("P6", "API peak heap used (MB) under -Xmx" + get(r, "p6_memory.api.max_heap"), "bounded",
        num(r, "p6_memory.api.peak_heap_used_mb"), null));
    rows.add(row("P6", "Redis bytes per stored result (trivial / CNN top-3)", "(no target)",
        get(r, "p6_memory.redis_bytes_per_result_trivial") + " / " + get(r, "p6_memory.redis_bytes_per_result_cnn_top3"), null));
    rows.add(row("P7", "status poll p99 (ms): light load / during spike", "(no target)",
        get(r, "p7_light.status_poll.p99_ms") + " / " + get(r, "p5_spike.status_poll_latency_during.p99_ms"), null));
    rows.add(row("P7", "sync predict p99 (ms): light load / during spike", "(no target)",
        get(r, "p7_light.sync_predict_cnn_one_item.p99_ms") + " / " + get(r, "p5_spike.sync_predict_latency_during.p99_ms"),
        null));
    for (int n : new int[] {2, 4, 8}) {
      rows.add(row("P9", "scale-out on a simulated accelerator: throughput / (" + n + " x one worker's), three brokers",
          ">= 0.9", num(r, "p9_scale_out.efficiency_" + n), num(r, "p9_scale_out.efficiency_" + n) >= 0.9));
    }
    rows.add(row("P9", "8 workers on " + get(r, "p9_scale_out.capped_by_partitions.partitions")
        + " partitions per request topic: efficiency", "(capped: partitions bound the useful workers)",
        num(r, "p9_scale_out.capped_by_partitions.efficiency"), null));
    rows.add(row("P9", "CNN, real model: 2 workers pinned to separate CPUs / 1 (throughput ratio)", "(no target)",
        num(r, "p9_scale_out.cnn_two_over_one"), null));
    return rows;
  }

  /** P9's section: its cluster, the simulated accelerator, and one row per measured drain. */
  @SuppressWarnings("unchecked")
  public static String scaleOut(Map<String, Object> p9) {
    StringBuilder md = new StringBuilder();
    md.append("## P9: scale-out\n\n").append(p9.get("brokers")).append(" brokers, Redis ")
        .append(Boolean.TRUE.equals(p9.get("redis_cluster")) ? "Cluster of three masters" : "server")
        .append("; simulated accelerator: ").append(p9.get("simulated_call_ms")).append(" ms a call of up to ")
        .append(p9.get("simulated_max_batch")).append(" items, one call at a time per worker.\n\n")
        .append("| workers | partitions | items | seconds | items/s | efficiency |\n|---|---|---|---|---|---|\n");
    List<Map<String, Object>> points = new ArrayList<>((List<Map<String, Object>>) p9.get("simulated"));
    points.add((Map<String, Object>) p9.get("capped_by_partitions"));
    points.addAll((List<Map<String, Object>>) p9.get("cnn_pinned"));
    int simulated = ((List<?>) p9.get("simulated")).size();
    for (int i = 0; i < points.size(); i++) {
      Map<String, Object> p = points.get(i);
      String note = i < simulated ? "" : i == simulated ? " (capped)" : " (CNN, pinned)";
      md.append("| ").append(p.get("workers")).append(note).append(" | ").append(p.get("partitions")).append(" | ")
          .append(fmt(p.get("items"))).append(" | ").append(p.get("seconds")).append(" | ")
          .append(fmt(p.get("items_per_second"))).append(" | ").append(fmt(p.get("efficiency"))).append(" |\n");
    }
    return md.toString();
  }

  /** A value that is missing (its part left out with --only) reads "not measured", with no verdict. */
  private static Map<String, Object> row(String id, String what, String target, Object value, Boolean met) {
    if (value instanceof Double d && d.isNaN()) {
      value = "not measured";
      met = null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("measure", what);
    m.put("target", target);
    m.put("value", value);
    m.put("met", met);
    return m;
  }

  @SuppressWarnings("unchecked")
  public static String render(Map<String, Object> r) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark report\n\n");
    md.append("Generated ").append(r.get("generated")).append(" by `").append(r.get("command")).append("` in ")
        .append(r.get("elapsed_seconds")).append(" s. Every figure below comes from this one run on this one machine; ")
        .append("ratios first, because absolute numbers drift on shared machines.\n\n");
    md.append("## Targets\n\n| | measure | target | measured | met |\n|---|---|---|---|---|\n");
    for (Map<String, Object> row : (List<Map<String, Object>>) r.get("summary")) {
      Object met = row.get("met");
      md.append("| ").append(row.get("id")).append(" | ").append(row.get("measure")).append(" | ").append(row.get("target"))
          .append(" | ").append(fmt(row.get("value"))).append(" | ")
          .append(met == null ? "" : Boolean.TRUE.equals(met) ? "yes" : "**no**").append(" |\n");
    }
    md.append("\n## Machine\n\n");
    ((Map<String, Object>) r.get("machine")).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\nSettings: ").append(r.get("settings")).append("\n\n");

    md.append("## Ceilings: the SavedModel called directly\n\n| model | best items/s | batch size | callers x TF threads |\n|---|---|---|---|\n");
    for (String m : List.of("cnn", "mlp", "trivial")) {
      md.append("| ").append(m).append(" | ").append(fmt(get(r, "ceilings." + m + ".best_items_per_second"))).append(" | ")
          .append(get(r, "ceilings." + m + ".best_batch_size")).append(" | ").append(get(r, "ceilings." + m + ".best_callers"))
          .append(" x ").append(get(r, "ceilings." + m + ".best_intra_op_threads")).append(" |\n");
    }
    md.append("\nMLP called with one item at a time: ").append(fmt(get(r, "ceilings.mlp_batch_of_one_items_per_second")))
        .append(" items/s.\n\n");

    md.append("## Runs through the whole system\n\nFrom the first byte of the submit to `completed` in the status; ")
        .append("the worker rate is items over the time from the first finished chunk to the last. ")
        .append("Runs that were repeated show the median run (by items/s for P1, by worker rate for P3) and every ")
        .append("repeat's rates in brackets. Before any of them, warm-up rounds ran until the JIT compilers went ")
        .append("quiet or 90 s passed; their share of each round's CPU: ").append(jitShares(r.get("warm_up_rounds")))
        .append(".\n\n")
        .append("| run | items | submit (s) | total (s) | items/s | worker items/s |\n|---|---|---|---|---|---|\n");
    for (String path : List.of("p1_overhead.cnn", "p1_overhead.cnn_json", "p1_overhead.mlp", "p2_pipeline_ceiling.run", "p3_dynamic_batching.tuned",
        "p3_dynamic_batching.batch_size_1", "p6_memory.batch", "p10_allowed_batch_sizes.cnn_without_allowed_sizes",
        "p10_allowed_batch_sizes.cnn_with_allowed_sizes")) {
      if (get(r, path) == null && path.startsWith("p10")) {
        continue; // a part of its own, not in every report
      }
      md.append("| ").append(get(r, path + ".label")).append(" | ").append(fmt(get(r, path + ".items"))).append(" | ")
          .append(get(r, path + ".submit_seconds")).append(" | ").append(get(r, path + ".total_seconds")).append(" | ")
          .append(fmt(get(r, path + ".items_per_second"))).append(repeats(get(r, path + ".repeats_items_per_second")))
          .append(" | ").append(fmt(get(r, path + ".worker_items_per_second")))
          .append(repeats(get(r, path + ".repeats_worker_items_per_second"))).append(" |\n");
    }
    md.append("\n### P2: where the time goes (trivial model)\n\nCPU seconds per process during the run: ")
        .append(get(r, "p2_pipeline_ceiling.run.cpu_seconds")).append(" (wall ")
        .append(get(r, "p2_pipeline_ceiling.run.total_seconds")).append(" s).\n\nShare of CPU samples (Java Flight Recorder):\n\n");
    Object profiles = get(r, "p2_pipeline_ceiling.profile");
    if (profiles instanceof Map) {
      ((Map<String, Object>) profiles).forEach((proc, profile) -> {
        Map<String, Object> p = (Map<String, Object>) profile;
        md.append("- **").append(proc).append("** (").append(p.get("samples")).append(" samples): ")
            .append(percentages(p.get("by_category"))).append("\n  - hottest methods: ")
            .append(percentages(p.get("hottest_methods_self"))).append('\n');
      });
    }

    if (r.containsKey("p4_per_item")) {
      perItem(r, md);
    }
    if (r.containsKey("p5_spike")) {
      md.append("\n## P5: spike\n\n![spike](spike.svg)\n\n");
      Map<String, Object> spike = new LinkedHashMap<>((Map<String, Object>) r.get("p5_spike"));
      spike.remove("samples");
      spike.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    }
    section(r, md, "p6_memory", "P6: memory");
    section(r, md, "p7_light", "P7: interactive calls at light load");
    if (r.containsKey("micro")) {
      md.append("\n## Micro-benchmarks (JMH)\n\n| benchmark | score | error | unit |\n|---|---|---|---|\n");
      for (Map<String, Object> b : (List<Map<String, Object>>) r.get("micro")) {
        md.append("| ").append(b.get("benchmark")).append(" | ").append(b.get("score")).append(" | ")
            .append(b.get("error") == null ? "" : b.get("error")).append(" | ").append(b.get("unit")).append(" |\n");
      }
    }
    if (r.containsKey("p9_scale_out")) {
      md.append("\n").append(scaleOut((Map<String, Object>) r.get("p9_scale_out")));
    }
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static void section(Map<String, Object> r, StringBuilder md, String key, String title) {
    if (r.get(key) instanceof Map<?, ?> m) {
      md.append("\n## ").append(title).append("\n\n");
      ((Map<String, Object>) m).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    }
  }

  private static void perItem(Map<String, Object> r, StringBuilder md) {
    md.append("\n## P4: per-item sync serving\n\n| model | per-item items/s | latency p50 / p99 (ms) | batch path items/s | ratio |\n")
        .append("|---|---|---|---|---|\n");
    for (String m : List.of("mlp", "cnn")) {
      String p = "p4_per_item." + m;
      md.append("| ").append(m).append(" | ").append(fmt(get(r, p + ".items_per_second"))).append(" | ")
          .append(get(r, p + ".latency.p50_ms")).append(" / ").append(get(r, p + ".latency.p99_ms")).append(" | ")
          .append(fmt(get(r, p + ".batch_path_items_per_second"))).append(" | ").append(get(r, p + ".batch_path_ratio"))
          .append(" |\n");
    }
    md.append("\nClient concurrency ").append(get(r, "p4_per_item.mlp.client_concurrency"))
        .append(", one JSON request per item, one model call each (Javalin, same SavedModel and TensorFlow threads).\n");

  }

  @SuppressWarnings("unchecked")
  private static String percentages(Object shares) {
    List<String> parts = new ArrayList<>();
    ((Map<String, Object>) shares).forEach((k, v) -> parts.add("`" + k + "` " + v + "%"));
    return String.join(", ", parts);
  }

  /** The value at a dotted path, or null. */
  @SuppressWarnings("unchecked")
  public static Object get(Map<String, Object> r, String path) {
    Object at = r;
    for (String part : path.split("\\.")) {
      if (!(at instanceof Map)) {
        return null;
      }
      at = ((Map<String, Object>) at).get(part);
    }
    return at;
  }

  private static double num(Map<String, Object> r, String path) {
    Object v = get(r, path);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** "40 %, 34 %, …" from the warm-up rounds' JIT and total CPU seconds. */
  private static String jitShares(Object rounds) {
    if (!(rounds instanceof List<?> list)) {
      return "(none recorded)";
    }
    return String.join(", ", list.stream().map(o -> (Map<?, ?>) o).map(m -> Math.round(100
        * ((Number) m.get("jit_cpu_seconds")).doubleValue() / ((Number) m.get("cpu_seconds")).doubleValue()) + " %")
        .toList());
  }

  /** " [a, b, c]" for a repeated run's rates, nothing for a single run. */
  private static String repeats(Object list) {
    return list instanceof List<?> l && l.size() > 1
        ? " [" + String.join(", ", l.stream().map(Markdown::fmt).toList()) + "]" : "";
  }

  private static String fmt(Object v) {
    if (v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) >= 1000 ? String.format(Locale.ROOT, "%,d", d.longValue()) : d.toString();
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
    }
    return String.valueOf(v);
  }
}
