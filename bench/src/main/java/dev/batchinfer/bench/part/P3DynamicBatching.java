package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Pipeline;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * P3: what dynamic batching buys. A fresh worker with a maximum batch size of 1 against P1's tuned
 * MLP runs, compared by the workers' own rates: submitting the inputs is the same in both runs and
 * not what batching changes.
 */
public final class P3DynamicBatching {

  /** @param tunedRuns P1's MLP runs, with the tuned worker */
  public record Result(List<Pipeline.Run> batchOfOneRuns, List<Pipeline.Run> tunedRuns) {

    public Pipeline.Run batchOfOne() {
      return Figures.median(batchOfOneRuns, Pipeline.Run::workerItemsPerSecond);
    }

    public Pipeline.Run tuned() {
      return Figures.median(tunedRuns, Pipeline.Run::workerItemsPerSecond);
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("batch_size_1", Figures.withRepeats(batchOfOne(), batchOfOneRuns));
      m.put("tuned", Figures.withRepeats(tuned(), tunedRuns));
      m.put("ratio", Figures.ratio(tuned().workerItemsPerSecond(), batchOfOne().workerItemsPerSecond()));
      m.put("ratio_end_to_end", Figures.ratio(Figures.median(tunedRuns, Pipeline.Run::itemsPerSecond).itemsPerSecond(),
          Figures.median(batchOfOneRuns, Pipeline.Run::itemsPerSecond).itemsPerSecond()));
      return m;
    }
  }

  private P3DynamicBatching() {}

  /** Replaces the cluster's workers with one whose maximum batch size is 1; it is left running. */
  public static Result run(Runs runs, Map<String, String> tuned, String workerHeap, P1Overhead.Result p1, Sizes size) {
    runs.cluster().stopWorkers();
    Map<String, String> one = new LinkedHashMap<>(tuned);
    one.put("WORKER_MAX_BATCH_SIZE", "1");
    runs.cluster().startWorkers(1, one, workerHeap);
    // Ready, and warm for the MLP (the only model this worker is measured with).
    runs.unmeasured("warm-up mlp, batch size 1", Bodies.rawImages(size.batchOfOneItems() / 4, 4),
        size.batchOfOneItems() / 4, BenchModels.MLP);
    List<Pipeline.Run> batchOfOneRuns = runs.repeat(size.repeats(), "mlp-batch-1",
        Bodies.rawImages(size.batchOfOneItems(), 15), size.batchOfOneItems(), BenchModels.MLP);
    return new Result(batchOfOneRuns, p1.mlpRuns());
  }
}
