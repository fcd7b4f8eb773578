package dev.batchinfer.worker.consume;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.SkipFlags;
import dev.batchinfer.store.batch.SkipReason;
import dev.batchinfer.topics.message.InferenceChunk;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a batch's remaining chunks are to be skipped (it was cancelled, or its completion window
 * passed), or some of its items (cancelled one by one), asked of Redis at most once a second per
 * batch, so each takes effect within seconds.
 *
 * <p>When Redis cannot answer, the chunk runs: it has left Kafka's hands, its results wait in the
 * publisher (which retries until Redis is back, and holds the offset uncommitted meanwhile), and the
 * consumer stops fetching once enough chunks wait there. Sending it to the dead-letter topic instead
 * would lose valid work over an outage. After a failed lookup Redis is not asked again for
 * {@link #OUTAGE_BACKOFF}, so the consumer thread does not block for a command timeout per record.
 */
public final class SkipWatch {

  private static final Logger log = LoggerFactory.getLogger(SkipWatch.class);
  private static final long FRESH_NANOS = 1_000_000_000L;
  static final java.time.Duration OUTAGE_BACKOFF = java.time.Duration.ofSeconds(5);

  private record Seen(SkipFlags.Skips skips, long at) {}

  private final Function<String, SkipFlags.Skips> lookup;
  private final BiFunction<String, long[], boolean[]> cancelledAmong;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final java.util.function.LongSupplier clock;
  private volatile boolean unreachable;
  private volatile long unreachableUntil;

  /**
   * @param lookup batch id → what to skip
   * @param cancelledAmong (batch id, item indexes) → which of them were cancelled one by one
   */
  public SkipWatch(Function<String, SkipFlags.Skips> lookup, BiFunction<String, long[], boolean[]> cancelledAmong) {
    this(lookup, cancelledAmong, System::nanoTime);
  }

  SkipWatch(Function<String, SkipFlags.Skips> lookup, BiFunction<String, long[], boolean[]> cancelledAmong,
      java.util.function.LongSupplier nanoClock) {
    this.lookup = lookup;
    this.cancelledAmong = cancelledAmong;
    this.clock = nanoClock;
  }

  /** Whether the batch's remaining chunks are skipped, and why ({@code NONE} also when Redis cannot say). */
  public SkipReason remaining(String batchId) {
    return skips(batchId).remaining();
  }

  /** Whether the batch moved to another priority than that of the topic {@code read} (as last seen). */
  public boolean movedFrom(String batchId, dev.batchinfer.topics.message.Priority read) {
    return skips(batchId).movedFrom(read);
  }

  /** Whether the batch's chunks are to be set aside: paused, and neither cancelled nor expired. */
  public boolean parks(String batchId) {
    return skips(batchId).parks();
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

  private SkipFlags.Skips skips(String batchId) {
    long now = clock.getAsLong();
    Seen s = seen.get(batchId);
    if (s != null && now - s.at() <= FRESH_NANOS) {
      return s.skips();
    }
    if (unreachable && now - unreachableUntil < 0) {
      return s == null ? SkipFlags.Skips.NONE : s.skips();
    }
    SkipFlags.Skips found;
    try {
      found = lookup.apply(batchId);
    } catch (RuntimeException e) {
      unreachableUntil = clock.getAsLong() + OUTAGE_BACKOFF.toNanos();
      unreachable = true;
      log.warn("batch {}: cannot read whether it was cancelled; its chunks run, and Redis is asked again in {} s: {}",
          batchId, OUTAGE_BACKOFF.toSeconds(), e.toString());
      return s == null ? SkipFlags.Skips.NONE : s.skips();
    }
    if (seen.size() > 10_000) {
      seen.clear(); // a cache, not a record: bounded, refilled on demand
    }
    seen.put(batchId, new Seen(found, now));
    return found;
  }
}
