package dev.batchinfer.worker.consume;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Whether a batch was cancelled, asked of Redis at most once a second per batch: a chunk of a
 * cancelled batch is skipped instead of run, and cancelling takes effect within seconds.
 */
public final class CancelWatch {

  private static final long FRESH_NANOS = 1_000_000_000L;

  private record Seen(boolean cancelled, long at) {}

  private final Predicate<String> lookup;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  public CancelWatch(Predicate<String> lookup) {
    this.lookup = lookup;
  }

  public boolean isCancelled(String batchId) {
    long now = System.nanoTime();
    Seen s = seen.get(batchId);
    if (s == null || now - s.at() > FRESH_NANOS) {
      if (seen.size() > 10_000) {
        seen.clear(); // a cache, not a record: bounded, refilled on demand
      }
      s = new Seen(lookup.test(batchId), now);
      seen.put(batchId, s);
    }
    return s.cancelled();
  }
}
