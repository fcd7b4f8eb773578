package dev.batchinfer.worker.consume;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Whether a batch's remaining chunks are to be skipped (it was cancelled, or its completion window
 * passed), asked of Redis at most once a second per batch, so either takes effect within seconds.
 */
public final class SkipWatch {

  private static final long FRESH_NANOS = 1_000_000_000L;

  private record Seen(String reason, long at) {}

  private final Function<String, String> lookup;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /** @param lookup batch id → "cancelled", "expired" or null */
  public SkipWatch(Function<String, String> lookup) {
    this.lookup = lookup;
  }

  /** "cancelled", "expired", or null if the chunk should run. */
  public String reason(String batchId) {
    long now = System.nanoTime();
    Seen s = seen.get(batchId);
    if (s == null || now - s.at() > FRESH_NANOS) {
      if (seen.size() > 10_000) {
        seen.clear(); // a cache, not a record: bounded, refilled on demand
      }
      s = new Seen(lookup.apply(batchId), now);
      seen.put(batchId, s);
    }
    return s.reason();
  }
}
