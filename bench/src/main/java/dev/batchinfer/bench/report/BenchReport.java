package dev.batchinfer.bench.report;

import dev.batchinfer.bench.part.P10AllowedSizes;
import dev.batchinfer.bench.part.P8MetricsCost;
import dev.batchinfer.bench.part.P9ScaleOut;
import dev.batchinfer.bench.part.Ceilings;
import dev.batchinfer.bench.part.P1Overhead;
import dev.batchinfer.bench.part.P2PipelineCeiling;
import dev.batchinfer.bench.part.P3DynamicBatching;
import dev.batchinfer.bench.part.P4PerItem;
import dev.batchinfer.bench.part.P5Spike;
import dev.batchinfer.bench.part.P6Memory;
import dev.batchinfer.bench.part.P7LightLoad;
import dev.batchinfer.bench.part.RunSettings;
import dev.batchinfer.bench.part.WarmUp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything one run measured, part by part. A part left out with --only is null. {@link #json()} is
 * the data of report.json, from which report.md is rendered.
 *
 * @param micro the JMH scores, or null
 */
public record BenchReport(String generated, String command, Map<String, Object> machine, Ceilings.Result ceilings,
    RunSettings settings, List<WarmUp.Round> warmUpRounds, P1Overhead.Result p1, P2PipelineCeiling.Result p2,
    P7LightLoad.Result p7, P5Spike.Result p5, P6Memory.Result p6, P3DynamicBatching.Result p3, P8MetricsCost.Result p8,
    P4PerItem.Result p4, List<Map<String, Object>> micro, P9ScaleOut.Result p9, P10AllowedSizes.Result p10,
    long elapsedSeconds) {

  /** The report as report.json has it, in the order the parts ran, with the targets' summary last. */
  public Map<String, Object> json() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("generated", generated);
    r.put("command", command);
    r.put("machine", machine);
    r.put("ceilings", ceilings.json());
    r.put("settings", settings.json());
    r.put("warm_up_rounds", warmUpRounds.stream().map(WarmUp.Round::json).toList());
    putIfRan(r, "p1_overhead", p1, P1Overhead.Result::json);
    putIfRan(r, "p2_pipeline_ceiling", p2, P2PipelineCeiling.Result::json);
    putIfRan(r, "p7_light", p7, P7LightLoad.Result::json);
    putIfRan(r, "p5_spike", p5, P5Spike.Result::json);
    putIfRan(r, "p6_memory", p6, P6Memory.Result::json);
    putIfRan(r, "p3_dynamic_batching", p3, P3DynamicBatching.Result::json);
    putIfRan(r, "p8_metrics_cost", p8, P8MetricsCost.Result::json);
    putIfRan(r, "p10_allowed_batch_sizes", p10, P10AllowedSizes.Result::json);
    putIfRan(r, "p4_per_item", p4, P4PerItem.Result::json);
    putIfRan(r, "micro", micro, m -> m);
    putIfRan(r, "p9_scale_out", p9, P9ScaleOut.Result::json);
    r.put("elapsed_seconds", elapsedSeconds);
    r.put("summary", Markdown.summary(r));
    return r;
  }

  /** A part that was left out with --only has no key at all, not a null one. */
  private static <T> void putIfRan(Map<String, Object> r, String key, T part, Function<T, Object> json) {
    if (part != null) {
      r.put(key, json.apply(part));
    }
  }
}
