package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.WorkerCounters;
import dev.batchinfer.embedded.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * P10: the CNN with and without allowed batch sizes. P1's CNN run (raw upload) again, on a fresh worker
 * serving the committed config.yaml and on one serving a copy with {@code allowed_batch_sizes:
 * [32, 64, 128, 256]}, alternately as in P8, compared by the workers' own rates. With allowed sizes
 * a batch holds at most the largest allowed size within the tuned WORKER_MAX_BATCH_SIZE, and a
 * partial batch (the queue ran dry before the batch filled) runs padded up to the next allowed size:
 * the padding rows the worker counted are reported beside the rates.
 */
public final class P10AllowedSizes {

  public static final List<Integer> ALLOWED = List.of(32, 64, 128, 256);

  /**
   * @param without runs on the committed config, in the order they ran
   * @param with runs with the allowed sizes
   * @param withCounted what the worker with allowed sizes counted in its measured runs, summed
   */
  public record Result(List<Pipeline.Run> without, List<Pipeline.Run> with, WorkerCounters withCounted) {

    /** Median worker rate with allowed sizes / without. */
    public double ratio() {
      return Figures.ratio(Figures.median(with, Pipeline.Run::workerItemsPerSecond).workerItemsPerSecond(),
          Figures.median(without, Pipeline.Run::workerItemsPerSecond).workerItemsPerSecond());
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("allowed_batch_sizes", ALLOWED);
      m.put("cnn_without_allowed_sizes", Figures.withRepeats(Figures.median(without, Pipeline.Run::workerItemsPerSecond),
          without));
      m.put("cnn_with_allowed_sizes", Figures.withRepeats(Figures.median(with, Pipeline.Run::workerItemsPerSecond), with));
      m.put("worker_rate_ratio", ratio());
      m.put("padding_rows", Math.round(withCounted.paddingRows()));
      m.put("micro_batch_items", Math.round(withCounted.batchItems()));
      double rows = withCounted.batchItems() + withCounted.paddingRows();
      m.put("padding_share_of_rows", rows == 0 ? 0.0 : Figures.ratio(withCounted.paddingRows(), rows));
      return m;
    }
  }

  private P10AllowedSizes() {}

  /** Replaces the cluster's workers by turns; the last one (with allowed sizes) is left running. */
  public static Result run(Runs runs, Map<String, String> tuned, String workerHeap, Path artifacts, Sizes size) {
    Path shaped = BenchModels.withAllowedSizes(artifacts, runs.work().resolve("model-artifacts-allowed-sizes"), ALLOWED);
    List<Pipeline.Run> without = new ArrayList<>();
    List<Pipeline.Run> with = new ArrayList<>();
    WorkerCounters counted = new WorkerCounters(0, 0);
    int items = size.pipelineItems();
    int pairs = Math.max(1, (size.repeats() + 1) / 2);
    for (int i = 0; i < pairs; i++) {
      for (boolean allowed : new boolean[] {false, true}) {
        runs.cluster().stopWorkers();
        Map<String, String> env = new LinkedHashMap<>(tuned);
        int metricsPort = FreePorts.pick();
        env.put("METRICS_PORT", Integer.toString(metricsPort));
        if (allowed) {
          env.put("MODEL_ARTIFACTS", shaped.toString());
        }
        runs.cluster().startWorkers(1, env, workerHeap);
        runs.unmeasured("warm-up cnn", Bodies.rawImages(items / 5, 41), items / 5, BenchModels.CNN);
        String label = "cnn, raw upload, " + (allowed ? "allowed sizes " + ALLOWED : "any batch size");
        WorkerCounters before = WorkerCounters.read(metricsPort, BenchModels.FASHION, BenchModels.CNN);
        (allowed ? with : without).add(runs.measure(label, Bodies.rawImages(items, 12), items, BenchModels.CNN));
        if (allowed) {
          counted = counted.plus(WorkerCounters.read(metricsPort, BenchModels.FASHION, BenchModels.CNN).since(before));
        }
      }
    }
    return new Result(without, with, counted);
  }
}
