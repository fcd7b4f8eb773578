package dev.batchinfer.bench.run;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Recorded latencies in nanoseconds; thread-safe; percentiles by sorting (counts here are thousands at most). */
public final class Latencies {

  private long[] values = new long[1024];
  private int count;

  public synchronized void record(long nanos) {
    if (count == values.length) {
      values = Arrays.copyOf(values, count * 2);
    }
    values[count++] = nanos;
  }

  public synchronized int count() {
    return count;
  }

  /** Milliseconds at quantile q (0..1), nearest rank. */
  public synchronized double millis(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * count) - 1;
    return sorted[Math.max(0, Math.min(count - 1, rank))] / 1e6;
  }

  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", count());
    m.put("p50_ms", round(millis(0.50)));
    m.put("p99_ms", round(millis(0.99)));
    m.put("max_ms", round(millis(1.0)));
    return m;
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
