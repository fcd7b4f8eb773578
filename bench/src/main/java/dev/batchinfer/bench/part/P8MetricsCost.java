package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Pipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * P8: what the worker's metrics cost. P1's CNN run and P2's trivial run (ten times as many items) again, on a worker with its
 * metrics on (counting into the Prometheus registry, as in production) and on one started with
 * METRICS_ENABLED=false (a no-op registry), alternately, so that drift over the minutes falls on
 * both sides alike. Compared by the workers' own rates, which is where the counting happens.
 */
public final class P8MetricsCost {

  /** @param on runs with metrics, off runs without, in the order they ran (on, off, on, off ...) */
  public record Result(List<Pipeline.Run> cnnOn, List<Pipeline.Run> cnnOff, List<Pipeline.Run> trivialOn,
      List<Pipeline.Run> trivialOff) {

    /** Median worker rate with metrics / without: 1 means free; the target is at least 0.97. */
    public double cnnRatio() {
      return ratio(cnnOn, cnnOff);
    }

    public double trivialRatio() {
      return ratio(trivialOn, trivialOff);
    }

    private static double ratio(List<Pipeline.Run> on, List<Pipeline.Run> off) {
      return Figures.ratio(Figures.median(on, Pipeline.Run::workerItemsPerSecond).workerItemsPerSecond(),
          Figures.median(off, Pipeline.Run::workerItemsPerSecond).workerItemsPerSecond());
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cnn_with_metrics", Figures.withRepeats(Figures.median(cnnOn, Pipeline.Run::workerItemsPerSecond), cnnOn));
      m.put("cnn_without_metrics", Figures.withRepeats(Figures.median(cnnOff, Pipeline.Run::workerItemsPerSecond), cnnOff));
      m.put("trivial_with_metrics",
          Figures.withRepeats(Figures.median(trivialOn, Pipeline.Run::workerItemsPerSecond), trivialOn));
      m.put("trivial_without_metrics",
          Figures.withRepeats(Figures.median(trivialOff, Pipeline.Run::workerItemsPerSecond), trivialOff));
      m.put("cnn_worker_rate_ratio", cnnRatio());
      m.put("trivial_worker_rate_ratio", trivialRatio());
      return m;
    }
  }

  static final int TRIVIAL_RUN_FACTOR = 10;

  private P8MetricsCost() {}

  /** Replaces the cluster's workers by turns; the last one (metrics off) is left running. */
  public static Result run(Runs runs, Map<String, String> tuned, String workerHeap, Sizes size) {
    List<Pipeline.Run> cnnOn = new ArrayList<>();
    List<Pipeline.Run> cnnOff = new ArrayList<>();
    List<Pipeline.Run> trivialOn = new ArrayList<>();
    List<Pipeline.Run> trivialOff = new ArrayList<>();
    int items = size.pipelineItems();
    // The trivial model runs ~40x the CNN's rate: at P2's 100,000 items a run lasts under half a second, too
    // short to tell a 3 % cost from noise, so its runs here are ten times longer.
    int trivialItems = items * TRIVIAL_RUN_FACTOR;
    int pairs = Math.max(1, (size.repeats() + 1) / 2);
    for (int i = 0; i < pairs; i++) {
      for (boolean metrics : new boolean[] {true, false}) {
        runs.cluster().stopWorkers();
        Map<String, String> env = new LinkedHashMap<>(tuned);
        env.put("METRICS_ENABLED", Boolean.toString(metrics));
        runs.cluster().startWorkers(1, env, workerHeap);
        // Ready, and warm for both models before anything is measured.
        runs.unmeasured("warm-up cnn", Bodies.rawImages(items / 5, 31), items / 5, BenchModels.CNN);
        runs.unmeasured("warm-up trivial", Bodies.trivialBatch(items / 5, 32), items / 5, null);
        String label = metrics ? "with metrics" : "without metrics";
        (metrics ? cnnOn : cnnOff).add(runs.measure("cnn, raw upload, " + label, Bodies.rawImages(items, 11), items,
            BenchModels.CNN));
        (metrics ? trivialOn : trivialOff).add(runs.measure("trivial, " + label, Bodies.trivialBatch(trivialItems, 21),
            trivialItems, null));
      }
    }
    return new Result(cnnOn, cnnOff, trivialOn, trivialOff);
  }
}
