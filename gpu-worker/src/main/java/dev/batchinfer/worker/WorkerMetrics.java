package dev.batchinfer.worker;

import java.util.concurrent.atomic.LongAdder;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.InferenceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What a worker counts: items answered by model and version, failed items by error code, each
 * micro-batch's size (its real items), padding rows, queue delay and model-call time, chunks
 * dead-lettered, paused partitions and live inference threads. Consumer lag per request topic comes from Kafka's own client metrics
 * ({@code kafka_consumer_fetch_manager_records_lag{topic=...}}), bound beside these.
 */
public final class WorkerMetrics implements InferenceMetrics {

  /**
   * The gauge of this worker's lag per priority, exported as {@code batchinfer_worker_consumer_lag_records}:
   * what the Kubernetes HPA alternative to KEDA scales on.
   */
  public static final String CONSUMER_LAG = "batchinfer.worker.consumer.lag";
  public static final String CONSUMER_LAG_UNIT = "records";

  private static final Duration[] CALL_BUCKETS = {ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250),
      ms(500), ms(1_000), ms(2_500), ms(10_000)};
  private static final double[] SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final MeterRegistry registry;
  // Totals for the status report the dashboard reads (it takes rates from two reports).
  private final LongAdder itemsAnswered = new LongAdder();
  private final LongAdder microBatches = new LongAdder();
  private final LongAdder microBatchItems = new LongAdder();
  private Supplier<Number> paused = () -> 0;
  private Supplier<Number> threadsAlive = () -> 0;
  private java.util.function.ToLongFunction<Priority> lagOf = p -> 0;

  WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The gauges of parts made after the counters are needed. */
  void watch(Supplier<Number> pausedPartitions, Supplier<Number> liveInferenceThreads,
      java.util.function.ToLongFunction<Priority> lag) {
    this.paused = pausedPartitions;
    this.threadsAlive = liveInferenceThreads;
    this.lagOf = lag;
    for (Priority p : Priority.values()) {
      Gauge.builder(CONSUMER_LAG, () -> lag.applyAsLong(p)).tag("priority", p.wire())
          .description("records of the priority's request topic not yet read by this worker's partitions")
          .baseUnit(CONSUMER_LAG_UNIT).register(registry);
    }
    Gauge.builder("batchinfer.worker.partitions.paused", pausedPartitions).description(
        "request partitions paused for backpressure (a full priority queue, or results not yet stored)").register(registry);
    Gauge.builder("batchinfer.worker.inference.threads.alive", liveInferenceThreads)
        .description("inference threads running; fewer than configured means the watchdog will restart the worker")
        .register(registry);
  }

  @Override
  public void ran(MicroBatcher.Batch batch, long callNanos) {
    String model = batch.modelKey().model();
    String version = batch.modelKey().version();
    microBatches.increment();
    microBatchItems.add(batch.size());
    DistributionSummary.builder("batchinfer.worker.microbatch.size").description("items per model call (real items, not padding)")
        .tags("model", model, "version", version).serviceLevelObjectives(SIZE_BUCKETS).register(registry)
        .record(batch.size());
    if (batch.paddingRows() > 0) {
      Counter.builder("batchinfer.worker.padding.items")
          .description("padding rows added to micro-batches to reach an allowed batch size (never answered)")
          .tags("model", model, "version", version).register(registry).increment(batch.paddingRows());
    }
    Timer.builder("batchinfer.worker.microbatch.queue.delay").description("how long a micro-batch's oldest item waited to run")
        .tags("model", model, "version", version).serviceLevelObjectives(CALL_BUCKETS).register(registry)
        .record(batch.waitedNanos(), TimeUnit.NANOSECONDS);
    Timer.builder("batchinfer.worker.model.call").description("model call time of one micro-batch (retries included)")
        .tags("model", model, "version", version).serviceLevelObjectives(CALL_BUCKETS).register(registry)
        .record(callNanos, TimeUnit.NANOSECONDS);
  }

  /** A real (not shadow) chunk fully answered, about to be published. */
  void answered(PendingChunk chunk) {
    String model = chunk.modelKey().model();
    String version = chunk.modelKey().version();
    Counter.builder("batchinfer.worker.items.inferred").description("items answered with a result")
        .tags("model", model, "version", version).register(registry).increment(chunk.succeededCount());
    itemsAnswered.add(chunk.chunk().itemCount());
    if (chunk.failedCount() == 0) {
      return;
    }
    Map<String, Integer> byCode = new HashMap<>();
    for (int i = 0; i < chunk.chunk().itemCount(); i++) {
      String code = errorCode(chunk.line(i));
      if (code != null && !code.equals("cancelled")) {
        byCode.merge(code, 1, Integer::sum);
      }
    }
    byCode.forEach((code, n) -> Counter.builder("batchinfer.worker.items.failed").description("items answered with an error, by code")
        .tags("model", model, "code", code).register(registry).increment(n));
  }

  /** This worker's status for the dashboard: totals since it started, lag now. */
  Map<String, Object> status(String workerId, java.util.Collection<String> serves, long nowMs) {
    Map<String, Object> lag = new java.util.LinkedHashMap<>();
    for (Priority p : Priority.values()) {
      lag.put(p.wire(), lagOf.applyAsLong(p));
    }
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("worker_id", workerId);
    m.put("at", nowMs);
    m.put("serves", serves);
    m.put("items_answered", itemsAnswered.sum());
    m.put("microbatches", microBatches.sum());
    m.put("microbatch_items", microBatchItems.sum());
    m.put("lag", lag);
    m.put("paused_partitions", paused.get());
    m.put("inference_threads", threadsAlive.get());
    return m;
  }

  void deadLettered(String reason) {
    Counter.builder("batchinfer.worker.chunks.dead.lettered").description("chunk records parked in the dead-letter topic")
        .tag("reason", reason).register(registry).increment();
  }

  /** The code of an error line ({@code {"index":N,"error":{"code":"...",...}}}); null for a result. */
  static String errorCode(String line) {
    if (line == null) {
      return null;
    }
    int at = line.indexOf("\"error\":{\"code\":\"");
    if (at < 0) {
      return null;
    }
    int from = at + "\"error\":{\"code\":\"".length();
    int to = line.indexOf('"', from);
    return to < 0 ? null : line.substring(from, to);
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }
}
