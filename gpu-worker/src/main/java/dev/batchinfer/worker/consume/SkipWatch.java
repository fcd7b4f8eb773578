package dev.batchinfer.worker.consume;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import dev.batchinfer.store.batch.BatchStore;
import dev.batchinfer.topics.message.InferenceChunk;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a batch's remaining chunks are to be skipped (it was cancelled, or its completion window
 * passed), or some of its items (cancelled one by one), asked of Redis at most once a second per
 * batch, so each takes effect within seconds.
 */
public final class SkipWatch {

  private static final Logger log = LoggerFactory.getLogger(SkipWatch.class);
  private static final long FRESH_NANOS = 1_000_000_000L;

  private record Seen(BatchStore.Skips skips, long at) {}

  private final Function<String, BatchStore.Skips> lookup;
  private final BiFunction<String, long[], boolean[]> cancelledAmong;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /**
   * @param lookup batch id → what to skip
   * @param cancelledAmong (batch id, item indexes) → which of them were cancelled one by one
   */
  public SkipWatch(Function<String, BatchStore.Skips> lookup, BiFunction<String, long[], boolean[]> cancelledAmong) {
    this.lookup = lookup;
    this.cancelledAmong = cancelledAmong;
  }

  /** "cancelled", "expired", or null if the chunk should run. */
  public String reason(String batchId) {
    return skips(batchId).reason();
  }

  /**
   * Which items of the chunk the client cancelled one by one (asked of Redis only for a batch that
   * has such cancels); null if none.
   *
   * <p>Best effort: if Redis cannot say, the chunk runs whole. Callers hold a chunk that has left
   * Kafka's hands, so an error here must not keep it from being answered (the batch would never
   * end) nor send a good chunk to the dead-letter topic; running a cancelled item is the lesser harm.
   */
  public boolean[] cancelledItems(InferenceChunk chunk) {
    try {
      if (!skips(chunk.header().batchId()).itemsCancelled()) {
        return null;
      }
      long[] indexes = new long[chunk.itemCount()];
      for (int i = 0; i < indexes.length; i++) {
        indexes[i] = chunk.itemIndex(i);
      }
      return cancelledAmong.apply(chunk.header().batchId(), indexes);
    } catch (RuntimeException e) {
      log.warn("batch {} chunk {}: cannot read its cancelled items; running all of them: {}",
          chunk.header().batchId(), chunk.header().chunkIndex(), e.toString());
      return null;
    }
  }

  private BatchStore.Skips skips(String batchId) {
    long now = System.nanoTime();
    Seen s = seen.get(batchId);
    if (s == null || now - s.at() > FRESH_NANOS) {
      if (seen.size() > 10_000) {
        seen.clear(); // a cache, not a record: bounded, refilled on demand
      }
      s = new Seen(lookup.apply(batchId), now);
      seen.put(batchId, s);
    }
    return s.skips();
  }
}
