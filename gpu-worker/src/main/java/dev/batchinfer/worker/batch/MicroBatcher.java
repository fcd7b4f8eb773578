package dev.batchinfer.worker.batch;

import dev.batchinfer.worker.infer.ModelKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Dynamic batching in the manner of Triton: items from many chunks of the same model version are
 * packed into one model call of at most {@code maxBatchSize} items; a call waits for more items at
 * most {@code maxQueueDelay} after its oldest item arrived.
 *
 * <p>Items are held as ranges of a chunk's runnable items, so there is no object per item. Pure
 * logic driven by the caller's clock; {@link InferenceLoop} does the waiting.
 */
public final class MicroBatcher {

  /** Runnable items {@code [from, to)} of one chunk. */
  public record Slice(PendingChunk chunk, int from, int to) {
    public int size() {
      return to - from;
    }
  }

  /** One model call's worth of items, all for the same model version. */
  /** @param waitedNanos how long its oldest item waited in the batcher */
  public record Batch(ModelKey modelKey, List<Slice> slices, int size, long waitedNanos) {}

  private static final class ModelQueue {
    final Deque<Slice> slices = new ArrayDeque<>();
    int items;
    long oldestArrivalNanos;
  }

  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final ToIntFunction<ModelKey> modelMaxBatch;
  private final Map<ModelKey, ModelQueue> queues = new LinkedHashMap<>();
  private int pendingItems;

  /**
   * @param modelMaxBatch the largest batch a model version accepts (from its config); the smaller
   *     of it and {@code maxBatchSize} applies
   */
  public MicroBatcher(int maxBatchSize, long maxQueueDelayNanos, ToIntFunction<ModelKey> modelMaxBatch) {
    if (maxBatchSize < 1 || maxQueueDelayNanos < 0) {
      throw new IllegalArgumentException("max batch size must be >= 1 and max queue delay >= 0");
    }
    this.maxBatchSize = maxBatchSize;
    this.maxQueueDelayNanos = maxQueueDelayNanos;
    this.modelMaxBatch = modelMaxBatch;
  }

  /** Items waiting for a model call. The caller adds chunks while this is below a full batch. */
  public int pendingItems() {
    return pendingItems;
  }

  public int maxBatchSize() {
    return maxBatchSize;
  }

  public void add(PendingChunk chunk, long nowNanos) {
    if (chunk.runnableCount() == 0) {
      return;
    }
    ModelQueue q = queues.computeIfAbsent(chunk.modelKey(), k -> new ModelQueue());
    if (q.items == 0) {
      q.oldestArrivalNanos = nowNanos;
    }
    q.slices.add(new Slice(chunk, 0, chunk.runnableCount()));
    q.items += chunk.runnableCount();
    pendingItems += chunk.runnableCount();
  }

  /**
   * A batch if one is ready now: a model with a full batch waiting, or one whose oldest item has
   * waited its maximum delay. Among ready models the one waiting longest goes first, so a model that
   * keeps filling batches cannot starve another's partial batch. Null if nothing is ready.
   */
  public Batch poll(long nowNanos) {
    return poll(nowNanos, false);
  }

  /** @param partialNow a partial batch need not wait its delay (a worker that drains to stop) */
  public Batch poll(long nowNanos, boolean partialNow) {
    ModelKey ready = null;
    long readySince = Long.MAX_VALUE;
    for (Map.Entry<ModelKey, ModelQueue> e : queues.entrySet()) {
      ModelQueue q = e.getValue();
      boolean isReady = q.items > 0
          && (partialNow || q.items >= limit(e.getKey()) || nowNanos - q.oldestArrivalNanos >= maxQueueDelayNanos);
      if (isReady && q.oldestArrivalNanos < readySince) {
        ready = e.getKey();
        readySince = q.oldestArrivalNanos;
      }
    }
    return ready == null ? null : take(ready, queues.get(ready), nowNanos);
  }

  /** Nanoseconds until {@link #poll} would return a partial batch; Long.MAX_VALUE if nothing waits. */
  public long nanosUntilDue(long nowNanos) {
    long min = Long.MAX_VALUE;
    for (ModelQueue q : queues.values()) {
      if (q.items > 0) {
        min = Math.min(min, Math.max(0, q.oldestArrivalNanos + maxQueueDelayNanos - nowNanos));
      }
    }
    return min;
  }

  private int limit(ModelKey modelKey) {
    return Math.max(1, Math.min(maxBatchSize, modelMaxBatch.applyAsInt(modelKey)));
  }

  private Batch take(ModelKey modelKey, ModelQueue q, long nowNanos) {
    int want = Math.min(limit(modelKey), q.items);
    List<Slice> out = new ArrayList<>();
    int got = 0;
    while (got < want) {
      Slice head = q.slices.peekFirst();
      int n = Math.min(head.size(), want - got);
      out.add(new Slice(head.chunk(), head.from(), head.from() + n));
      got += n;
      q.slices.pollFirst();
      if (n < head.size()) {
        q.slices.addFirst(new Slice(head.chunk(), head.from() + n, head.to()));
      }
    }
    q.items -= got;
    pendingItems -= got;
    long waited = nowNanos - q.oldestArrivalNanos;
    // The items left behind have waited as long as the batch just taken; their clock restarts so a
    // remainder does not go out as a tiny batch immediately.
    q.oldestArrivalNanos = nowNanos;
    return new Batch(modelKey, out, got, waited);
  }
}
