package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.RedisMemory;
import dev.batchinfer.embedded.proc.ChildJvm;
import java.util.LinkedHashMap;
import java.util.Map;

/** P6: memory. One large batch of the trivial model; the API's heap, the worker's RSS and Redis per result. */
public final class P6Memory {

  /** A JVM's memory over the whole run (its peak RSS: since the last reset). */
  public record Heap(String maxHeap, long peakHeapUsedMb, long peakLiveAfterGcMb, long peakRssMb) {

    static Heap of(ChildJvm jvm) {
      ChildJvm.HeapUse h = jvm.heapUse();
      return new Heap(jvm.maxHeap(), Figures.mb(h.peakUsedBytes()), Figures.mb(h.peakLiveBytes()),
          Figures.mb(jvm.peakRssBytes()));
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("max_heap", maxHeap);
      m.put("peak_heap_used_mb", peakHeapUsedMb);
      m.put("peak_live_after_gc_mb", peakLiveAfterGcMb);
      m.put("peak_rss_mb", peakRssMb);
      return m;
    }
  }

  /**
   * @param worker its peak RSS: since the part before P6 ended
   * @param workerPeakRssMbByPart each part's peak, P6's included
   */
  public record Result(Pipeline.Run batch, long redisBytesPerResultTrivial, long redisBytesPerResultCnnTop3, Heap api,
      Heap worker, Map<String, Long> workerPeakRssMbByPart, long workerRssNowMb) {

    /** The whole run's peak: the largest of the parts'. */
    public long workerPeakRssMb() {
      return workerPeakRssMbByPart.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("batch", batch.json());
      m.put("redis_bytes_per_result_trivial", redisBytesPerResultTrivial);
      m.put("redis_bytes_per_result_cnn_top3", redisBytesPerResultCnnTop3);
      m.put("api", api.json());
      m.put("worker", worker.json());
      m.put("worker_peak_rss_mb", workerPeakRssMb());
      m.put("worker_peak_rss_mb_by_part", workerPeakRssMbByPart);
      m.put("worker_rss_now_mb", workerRssNowMb);
      return m;
    }
  }

  private P6Memory() {}

  /** @param p1 for the Redis memory of the CNN's top-3 results */
  public static Result run(Runs runs, RedisMemory redis, WorkerPeaks peaks, P1Overhead.Result p1, Sizes size) {
    long before = redis.usedBytes();
    Pipeline.Run big = runs.measure("memory", Bodies.trivialBatch(size.memoryItems(), 14), size.memoryItems(), null);
    long trivialBytes = Math.round((redis.usedBytes() - before) / (double) size.memoryItems());
    long cnnBytes = Math.round(p1.cnnRedisBytes() / (double) size.pipelineItems());
    Heap api = Heap.of(runs.cluster().api());
    Heap worker = Heap.of(peaks.worker());
    peaks.note("p6");
    return new Result(big, trivialBytes, cnnBytes, api, worker, peaks.byPart(), Figures.mb(peaks.worker().rssBytes()));
  }
}
