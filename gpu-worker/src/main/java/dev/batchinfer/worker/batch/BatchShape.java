package dev.batchinfer.worker.batch;

import dev.batchinfer.models.BatchCost;
import dev.batchinfer.models.Batching;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import java.util.Arrays;

/**
 * How the micro-batches of one model version are shaped, from the {@code batching} of its config.yaml:
 * the most items a batch holds, the row counts the model may be called with, and what bounds a
 * batch's cost.
 *
 * <ul>
 *   <li><b>Allowed sizes</b> (as TensorFlow Serving's {@code allowed_batch_sizes}): a batch holds at most
 *       the largest allowed size within the limit (the smaller of the worker's and the model's
 *       maximum), and a batch of n items runs as one call of {@link #rows(int)} rows, the smallest
 *       allowed size {@code >= n}. When the worker's limit is below the smallest allowed size, a batch
 *       holds at most that limit and is still padded to the smallest allowed size: the model is only
 *       ever called with an allowed size.
 *   <li><b>Cost</b>: by items, a count limit like the maximum batch size; by input bytes of a
 *       fixed-size input, the same (every item costs its payload size); by input bytes of a text
 *       input or by tokens, each item's own cost, and a batch takes items until the next would pass
 *       the maximum, always at least one.
 * </ul>
 */
public final class BatchShape {

  private final int maxItems;
  private final int[] allowed; // ascending; empty: any size
  private final BatchCost.By perItemCost; // null: the cost is the item count
  private final long maxCost;

  private BatchShape(int maxItems, int[] allowed, BatchCost.By perItemCost, long maxCost) {
    this.maxItems = Math.max(1, maxItems);
    this.allowed = allowed;
    this.perItemCost = perItemCost;
    this.maxCost = maxCost;
  }

  /** Any batch of up to {@code maxBatchSize} items, bounded by count alone. */
  public static BatchShape upTo(int maxBatchSize) {
    return new BatchShape(maxBatchSize, new int[0], null, Long.MAX_VALUE);
  }

  /** @param perItemCost INPUT_BYTES or TOKENS; see {@link BatchCost.By} */
  public static BatchShape of(int maxBatchSize, int[] allowedSizes, BatchCost.By perItemCost, long maxCost) {
    return new BatchShape(maxBatchSize, allowedSizes.clone(), perItemCost, maxCost);
  }

  /** The shape a model's config declares. */
  public static BatchShape of(ModelConfig config) {
    Batching b = config.batching();
    int[] allowed = b.allowedSizes().stream().mapToInt(Integer::intValue).toArray();
    BatchCost cost = b.cost();
    InputSpec in = config.input();
    boolean fixedSize = in.type() != InputSpec.DType.STRING;
    return switch (cost.by()) {
      case ITEMS -> new BatchShape(clamp(Math.min(b.maxBatchSize(), cost.max())), allowed, null, Long.MAX_VALUE);
      // Every item costs the same: the cost is a count in disguise, and no item need be looked at.
      case INPUT_BYTES -> fixedSize
          ? new BatchShape(clamp(Math.min(b.maxBatchSize(), Math.max(1, cost.max() / in.payloadBytes()))), allowed, null,
              Long.MAX_VALUE)
          : new BatchShape(b.maxBatchSize(), allowed, BatchCost.By.INPUT_BYTES, cost.max());
      case TOKENS -> new BatchShape(b.maxBatchSize(), allowed, BatchCost.By.TOKENS, cost.max());
    };
  }

  private static int clamp(long n) {
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  /** The most items one batch holds when the worker allows {@code workerMax} per call. */
  public int limit(int workerMax) {
    int max = Math.max(1, Math.min(workerMax, maxItems));
    int fit = 0;
    for (int size : allowed) {
      if (size <= max) {
        fit = size;
      }
    }
    return fit > 0 ? fit : max;
  }

  /** The rows of the model call for {@code n} items: the smallest allowed size {@code >= n}, or n. */
  public int rows(int n) {
    for (int size : allowed) {
      if (size >= n) {
        return size;
      }
    }
    return n;
  }

  /** Whether items have costs of their own ({@link #cost}); otherwise a batch is bounded by its count. */
  public boolean costsPerItem() {
    return perItemCost != null;
  }

  /** The most a batch may cost; Long.MAX_VALUE when bounded by count alone. */
  public long maxCost() {
    return maxCost;
  }

  /** The cost of the {@code r}-th runnable item of {@code chunk}, at least 1. */
  public long cost(PendingChunk chunk, int r) {
    if (perItemCost == null) {
      return 1;
    }
    int position = chunk.runnablePosition(r);
    return perItemCost.of(chunk.chunk().payloadArray(), chunk.chunk().payloadOffset(position),
        chunk.chunk().payloadLength(position));
  }

  @Override
  public String toString() {
    return "at most " + maxItems + " items" + (allowed.length > 0 ? ", called with " + Arrays.toString(allowed) : "")
        + (perItemCost != null ? ", cost by " + perItemCost.wire() + " at most " + maxCost : "");
  }
}
