package dev.batchinfer.worker.batch;

import dev.batchinfer.worker.infer.ModelKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Dynamic batching in the manner of Triton: items from many chunks of the same model version are
 * packed into one model call of at most {@code maxBatchSize} items; a call waits for more items at
 * most {@code maxQueueDelay} after its oldest item arrived.
 *
 * <p>Each model version's {@link BatchShape} may narrow that: a batch holds at most the largest of
 * the model's allowed batch sizes that fits, and is marked with the padded row count its call runs
 * with ({@link Batch#rows()}); a batch of a model with a per-item cost takes items until the next
 * would pass the cost's maximum (always at least one; a chunk's slice is cut at an item boundary).
 *
 * <p>Items are held as ranges of a chunk's runnable items, so there is no object per item (a
 * cost-bounded model also keeps each chunk's running sum of costs). Pure logic driven by the
 * caller's clock; {@link dev.batchinfer.worker.infer.InferenceLoop} does the waiting.
 */
public final class MicroBatcher {

  /** Runnable items {@code [from, to)} of one chunk. */
  public record Slice(PendingChunk chunk, int from, int to) {
    public int size() {
      return to - from;
    }
  }

  /**
   * One model call's worth of items, all for the same model version.
   *
   * @param size the real items, what is answered and counted
   * @param waitedNanos how long its oldest item waited in the batcher
   * @param rows the rows the model is called with: {@code size}, or the allowed size it is padded up to
   */
  public record Batch(ModelKey modelKey, List<Slice> slices, int size, long waitedNanos, int rows) {
    /** The padding rows of its call: never answered, counted or recorded. */
    public int paddingRows() {
      return rows - size;
    }
  }

  /** Items {@code [from, to)} of a chunk as held here; {@code prefix[i]} is the cost of runnable items before i. */
  private record Held(PendingChunk chunk, int from, int to, long[] prefix) {
    int size() {
      return to - from;
    }

    long cost(int a, int b) {
      return prefix == null ? b - a : prefix[b] - prefix[a];
    }

    /** The most items from {@code from} (up to {@code n}) that cost at most {@code budget}. */
    int fit(int n, long budget) {
      if (prefix == null) {
        return (int) Math.min(n, budget);
      }
      int lo = 0;
      int hi = n;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (cost(from, from + mid) <= budget) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    }
  }

  private static final class ModelQueue {
    final Deque<Held> held = new ArrayDeque<>();
    final BatchShape shape;
    final int limit;
    int items;
    long cost;
    long oldestArrivalNanos;

    ModelQueue(BatchShape shape, int workerMax) {
      this.shape = shape;
      this.limit = shape.limit(workerMax);
    }

    boolean full() {
      return items >= limit || (shape.costsPerItem() && cost >= shape.maxCost());
    }
  }

  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final Function<ModelKey, BatchShape> shapes;
  private final Map<ModelKey, ModelQueue> queues = new LinkedHashMap<>();
  private int pendingItems;

  /**
   * @param modelMaxBatch the largest batch a model version accepts (from its config); the smaller
   *     of it and {@code maxBatchSize} applies
   */
  public MicroBatcher(int maxBatchSize, long maxQueueDelayNanos, ToIntFunction<ModelKey> modelMaxBatch) {
    this(key -> BatchShape.upTo(modelMaxBatch.applyAsInt(key)), maxBatchSize, maxQueueDelayNanos);
  }

  private MicroBatcher(Function<ModelKey, BatchShape> shapes, int maxBatchSize, long maxQueueDelayNanos) {
    if (maxBatchSize < 1 || maxQueueDelayNanos < 0) {
      throw new IllegalArgumentException("max batch size must be >= 1 and max queue delay >= 0");
    }
    this.maxBatchSize = maxBatchSize;
    this.maxQueueDelayNanos = maxQueueDelayNanos;
    this.shapes = shapes;
  }

  /** @param shapes each model version's batch shape (from its config); asked once per model version */
  public static MicroBatcher shaped(int maxBatchSize, long maxQueueDelayNanos, Function<ModelKey, BatchShape> shapes) {
    return new MicroBatcher(shapes, maxBatchSize, maxQueueDelayNanos);
  }

  /** Items waiting for a model call. The caller adds chunks while this is below a full batch. */
  public int pendingItems() {
    return pendingItems;
  }

  public int maxBatchSize() {
    return maxBatchSize;
  }

  public void add(PendingChunk chunk, long nowNanos) {
    int n = chunk.runnableCount();
    if (n == 0) {
      return;
    }
    ModelQueue q = queues.computeIfAbsent(chunk.modelKey(), k -> new ModelQueue(shapes.apply(k), maxBatchSize));
    if (q.items == 0) {
      q.oldestArrivalNanos = nowNanos;
    }
    long[] prefix = null;
    if (q.shape.costsPerItem()) {
      prefix = new long[n + 1];
      for (int r = 0; r < n; r++) {
        prefix[r + 1] = prefix[r] + q.shape.cost(chunk, r);
      }
      q.cost += prefix[n];
    }
    q.held.add(new Held(chunk, 0, n, prefix));
    q.items += n;
    pendingItems += n;
  }

  /**
   * A batch if one is ready now: a model with a full batch waiting (by count, or by cost), or one
   * whose oldest item has waited its maximum delay. Among ready models the one waiting longest goes
   * first, so a model that keeps filling batches cannot starve another's partial batch. Null if
   * nothing is ready.
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
          && (partialNow || q.full() || nowNanos - q.oldestArrivalNanos >= maxQueueDelayNanos);
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

  private Batch take(ModelKey modelKey, ModelQueue q, long nowNanos) {
    int want = Math.min(q.limit, q.items);
    List<Slice> out = new ArrayList<>();
    int got = 0;
    long spent = 0;
    while (got < want) {
      Held head = q.held.peekFirst();
      int n = head.fit(Math.min(head.size(), want - got), q.shape.maxCost() - spent);
      if (n == 0 && got == 0) {
        n = 1; // one item that alone costs more than the maximum still runs, by itself
      }
      if (n == 0) {
        break; // the next item would pass the cost's maximum
      }
      out.add(new Slice(head.chunk(), head.from(), head.from() + n));
      spent += head.cost(head.from(), head.from() + n);
      got += n;
      q.held.pollFirst();
      if (n < head.size()) {
        q.held.addFirst(new Held(head.chunk(), head.from() + n, head.to(), head.prefix()));
      }
    }
    q.items -= got;
    if (q.shape.costsPerItem()) {
      q.cost -= spent;
    }
    pendingItems -= got;
    long waited = nowNanos - q.oldestArrivalNanos;
    // The items left behind have waited as long as the batch just taken; their clock restarts so a
    // remainder does not go out as a tiny batch immediately.
    q.oldestArrivalNanos = nowNanos;
    return new Batch(modelKey, out, got, waited, q.shape.rows(got));
  }
}
