package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.Pipeline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The report's arithmetic, shared by the parts: medians of repeats, ratios, megabytes. */
public final class Figures {

  private Figures() {}

  /** The run with the median of {@code measure} (the upper one of an even count). */
  public static Pipeline.Run median(List<Pipeline.Run> runs, ToDoubleFunction<Pipeline.Run> measure) {
    List<Pipeline.Run> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(measure));
    return sorted.get(sorted.size() / 2);
  }

  /** The median of repeated ratios (the upper one of an even count, as for runs). */
  public static double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  /** a / b to three decimals. */
  public static double ratio(double a, double b) {
    return Math.round(a / b * 1000) / 1000.0;
  }

  public static long mb(long bytes) {
    return Math.round(bytes / 1048576.0);
  }

  /** The median run, with the rates of every repeat beside it. */
  public static Map<String, Object> withRepeats(Pipeline.Run median, List<Pipeline.Run> all) {
    Map<String, Object> m = median.json();
    m.put("repeats_items_per_second", all.stream().map(r -> Math.round(r.itemsPerSecond())).toList());
    m.put("repeats_worker_items_per_second", all.stream().map(r -> Math.round(r.workerItemsPerSecond())).toList());
    return m;
  }
}
