package dev.batchinfer.worker.infer;

import dev.batchinfer.observability.LogContext;
import dev.batchinfer.worker.WorkerException;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.worker.batch.BatchShape;
import dev.batchinfer.worker.batch.ChunkSource;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.batch.PendingChunk;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.batchinfer.topics.message.InferenceChunk;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inference thread: forms micro-batches from the chunk source, runs them through the model,
 * answers every item, and hands each finished chunk on. Several threads may share one batcher.
 */
public final class InferenceLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(InferenceLoop.class);
  private static final long MAX_IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ChunkSource source;
  private final MicroBatcher batcher;
  private final LoadedModels models;
  private final Consumer<PendingChunk> onChunkDone;
  private final Function<InferenceChunk, boolean[]> cancelledItems;
  private final InferenceMetrics metrics;
  private volatile boolean running = true;
  private volatile boolean draining;
  /** When the model call in progress started (System.nanoTime), or {@link #IDLE}; read by the watchdog. */
  private volatile long callStartedNanos = IDLE;
  private static final long IDLE = Long.MIN_VALUE;

  public InferenceLoop(ChunkSource source, MicroBatcher batcher, LoadedModels models, Consumer<PendingChunk> onChunkDone) {
    this(source, batcher, models, onChunkDone, chunk -> null, InferenceMetrics.NONE);
  }

  /**
   * @param cancelledItems which items of a chunk the client has cancelled one by one since it was
   *     read (null: none); looked at again when the chunk leaves the queue for the model, since a
   *     chunk may wait there a while after it was read ahead
   */
  public InferenceLoop(ChunkSource source, MicroBatcher batcher, LoadedModels models, Consumer<PendingChunk> onChunkDone,
      Function<InferenceChunk, boolean[]> cancelledItems, InferenceMetrics metrics) {
    this.metrics = metrics;
    this.source = source;
    this.batcher = batcher;
    this.models = models;
    this.onChunkDone = onChunkDone;
    this.cancelledItems = cancelledItems;
  }

  public void stop() {
    running = false;
  }

  /** From now on a partial micro-batch runs at once rather than wait for more items: the worker stops soon. */
  public void drain() {
    draining = true;
  }

  /** How long the model call in progress has run; zero between calls. */
  public long callRunningNanos(long nowNanos) {
    long started = callStartedNanos;
    return started == IDLE ? 0 : nowNanos - started;
  }

  @Override
  public void run() {
    while (running) {
      try {
        MicroBatcher.Batch batch = nextBatch();
        if (batch != null) {
          execute(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("inference loop error; continuing", e);
      }
    }
  }

  private MicroBatcher.Batch nextBatch() throws InterruptedException {
    synchronized (batcher) {
      while (running) {
        long now = System.nanoTime();
        // Take chunks only while a full batch is not yet waiting, so the priority order of the
        // source decides what runs next, not what happened to be fetched first.
        while (batcher.pendingItems() < batcher.maxBatchSize()) {
          PendingChunk c = source.poll();
          if (c == null) {
            break;
          }
          add(c, now);
        }
        MicroBatcher.Batch batch = batcher.poll(now, draining);
        if (batch != null) {
          return batch;
        }
        PendingChunk c = source.poll(Math.min(MAX_IDLE_WAIT_NANOS, batcher.nanosUntilDue(now)));
        if (c != null) {
          add(c, System.nanoTime());
        }
      }
      return null;
    }
  }

  /** Into the batcher, without the items cancelled since the chunk was read; a chunk left with none is done. */
  private void add(PendingChunk c, long nowNanos) {
    boolean[] cancelled = c.isShadow() ? null : cancelledItems.apply(c.chunk());
    if (cancelled != null && c.withdraw(cancelled, position -> ResultFormatter.error(c.chunk().itemIndex(position),
        "cancelled", "the client cancelled this item before it ran"))) {
      onChunkDone.accept(c);
      return;
    }
    batcher.add(c, nowNanos);
  }

  private void execute(MicroBatcher.Batch batch) {
    ModelRunner runner = models.runner(batch.modelKey())
        .orElseThrow(() -> new WorkerException("batch for unloaded model " + batch.modelKey()));
    long started = System.nanoTime();
    callStartedNanos = started;
    try {
      run(runner, models.formatter(batch.modelKey()), models.shape(batch.modelKey()), batch.slices(), batch.size(),
          ModelCallRetry.BACKOFF);
    } finally {
      callStartedNanos = IDLE;
    }
    metrics.ran(batch, System.nanoTime() - started);
  }

  /**
   * Runs the items as one call, padded up to the model's allowed batch size (padding rows are never
   * answered); if the model still fails on the whole batch after the back-off, halves it until the
   * failing items are alone, so one bad item costs only its own result. Each half is padded again.
   *
   * @param backoff the pauses of the tries again before concluding anything (none for the halves: the
   *     whole batch already failed after them, so what fails now is the items)
   */
  private void run(ModelRunner runner, ResultFormatter formatter, BatchShape shape, List<MicroBatcher.Slice> slices,
      int n, List<java.time.Duration> backoff) {
    float[] probabilities;
    int rows = shape.rows(n);
    try {
      probabilities = ModelCallRetry.call(slices.get(0).chunk() + " (" + n + " items)",
          () -> runner.config().input().type() == InputSpec.DType.STRING
              ? runner.predictText(texts(slices, n), rows)
              : runner.predict(contiguous(slices, n, rows, runner.config().input().payloadBytes()), n, rows),
          backoff, d -> Thread.sleep(d.toMillis()));
    } catch (RuntimeException e) {
      if (n == 1) {
        MicroBatcher.Slice s = slices.get(0);
        int position = s.chunk().runnablePosition(s.from());
        try (LogContext.Scope logs = s.chunk().logs()) {
          log.warn("{}: item {} failed in the model: {}", s.chunk(), s.chunk().chunk().itemIndex(position), e.toString());
        }
        answer(s.chunk(), position, ResultFormatter.error(s.chunk().chunk().itemIndex(position), "model_error",
            "the model failed on this input: " + e.getMessage()), false);
        return;
      }
      bisect(runner, formatter, shape, slices, n);
      return;
    }
    int row = 0;
    for (MicroBatcher.Slice s : slices) {
      PendingChunk pc = s.chunk();
      for (int r = s.from(); r < s.to(); r++) {
        int position = pc.runnablePosition(r);
        long index = pc.chunk().itemIndex(position);
        if (formatter.isFinite(probabilities, row)) {
          answer(pc, position, formatter.result(index, probabilities, row), true);
        } else {
          answer(pc, position, ResultFormatter.error(index, "model_error",
              "the model returned a non-finite probability for this input"), false);
        }
        row++;
      }
    }
  }

  /** Fixed-size items copied end to end: the tensor's buffer, with no per-value work, and room for the padding rows. */
  private static byte[] contiguous(List<MicroBatcher.Slice> slices, int n, int rows, int itemBytes) {
    byte[] inputs = new byte[Math.max(n, rows) * itemBytes];
    int at = 0;
    for (MicroBatcher.Slice s : slices) {
      PendingChunk pc = s.chunk();
      for (int r = s.from(); r < s.to(); r++) {
        int position = pc.runnablePosition(r);
        System.arraycopy(pc.chunk().payloadArray(), pc.chunk().payloadOffset(position), inputs, at, itemBytes);
        at += itemBytes;
      }
    }
    return inputs;
  }

  private static String[] texts(List<MicroBatcher.Slice> slices, int n) {
    String[] out = new String[n];
    int at = 0;
    for (MicroBatcher.Slice s : slices) {
      PendingChunk pc = s.chunk();
      for (int r = s.from(); r < s.to(); r++) {
        int position = pc.runnablePosition(r);
        out[at++] = new String(pc.chunk().payloadArray(), pc.chunk().payloadOffset(position),
            pc.chunk().payloadLength(position), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return out;
  }

  private void bisect(ModelRunner runner, ResultFormatter formatter, BatchShape shape, List<MicroBatcher.Slice> slices,
      int n) {
    int half = n / 2;
    java.util.ArrayList<MicroBatcher.Slice> first = new java.util.ArrayList<>();
    java.util.ArrayList<MicroBatcher.Slice> second = new java.util.ArrayList<>();
    int seen = 0;
    for (MicroBatcher.Slice s : slices) {
      if (seen + s.size() <= half) {
        first.add(s);
      } else if (seen >= half) {
        second.add(s);
      } else {
        int cut = s.from() + (half - seen);
        first.add(new MicroBatcher.Slice(s.chunk(), s.from(), cut));
        second.add(new MicroBatcher.Slice(s.chunk(), cut, s.to()));
      }
      seen += s.size();
    }
    run(runner, formatter, shape, first, half, List.of());
    run(runner, formatter, shape, second, n - half, List.of());
  }

  private void answer(PendingChunk chunk, int position, String line, boolean ok) {
    if (chunk.answer(position, line, ok)) {
      onChunkDone.accept(chunk);
    }
  }
}
