package dev.batchinfer.api.read;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchQueue;
import dev.batchinfer.store.model.ModelTelemetry;
import java.time.Clock;
import java.time.Instant;

/**
 * Queue position and a rolling completion estimate: the items still to answer ahead of the batch
 * (every higher priority and the earlier batches of its own) plus its own, divided by the
 * throughput its model version's workers actually had over the last minutes. Before any throughput
 * is measured, ESTIMATED_ITEMS_PER_SECOND stands in.
 */
public final class EtaEstimator {

  /** How far back the measured throughput looks. */
  static final int WINDOW_MINUTES = 5;
  /**
   * Batches ahead whose remaining items are read and added up. Every 202 and every status read of a
   * waiting batch computes this, so it is a sample: with more batches ahead, their remaining items are
   * taken to average what the sampled (oldest) ones have left. Reading all of them made each submit
   * during a traffic spike cost hundreds of Redis reads.
   */
  static final int MAX_BATCHES_SUMMED = 32;
  /**
   * How long a measured throughput and a full sample of the work ahead are used again. Both change
   * slowly (the throughput is a five-minute average), and without this every 202 and every status
   * read of a waiting batch during a spike cost about 40 Redis commands in 12 round trips.
   */
  static final long REUSE_MILLIS = 1_000;

  /** {@code position} 0 means nothing is ahead. */
  public record Estimate(long position, Instant completion, double itemsPerSecond) {}

  private final BatchQueue store;
  private final ModelTelemetry telemetry;
  private final int fallbackItemsPerSecond;
  private final Clock clock;
  private final java.util.Map<ModelVersion, Reused> rates = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<dev.batchinfer.topics.message.Priority, Reused> samples =
      new java.util.concurrent.ConcurrentHashMap<>();

  record Reused(double value, long atMillis) {}

  /** Whose measured throughput a rate is: each version of a model has workers of its own. */
  private record ModelVersion(String model, String version) {}

  public EtaEstimator(BatchQueue store, ModelTelemetry telemetry, int fallbackItemsPerSecond, Clock clock) {
    this.store = store;
    this.telemetry = telemetry;
    this.fallbackItemsPerSecond = fallbackItemsPerSecond;
    this.clock = clock;
  }

  public Estimate estimate(BatchRecord b) {
    return estimate(b, store.batchesAhead(b.priority(), b.created()));
  }

  /** @param position the batches ahead of {@code b}, already known */
  public Estimate estimate(BatchRecord b, long position) {
    Instant now = clock.instant();
    // With a full sample ahead, the sample is the oldest batches of the queue, whoever asks: the
    // same for every batch of this priority, so one reading serves them all for a while.
    long sampled = position < MAX_BATCHES_SUMMED
        ? store.itemsAhead(b.priority(), b.created(), MAX_BATCHES_SUMMED)
        : (long) reuse(samples, b.priority(), now,
            () -> store.itemsAhead(b.priority(), b.created(), MAX_BATCHES_SUMMED));
    long ahead = extrapolate(sampled, position);
    long own = Math.max(0, b.total() - b.completed() - b.failed() - b.cancelled());
    double rate = reuse(rates, new ModelVersion(b.model(), b.modelVersion()), now, () -> {
      long[] recent = telemetry.itemsAndErrors(b.model(), b.modelVersion(), WINDOW_MINUTES, now.toEpochMilli());
      // The current minute is partly over, so the window is a little shorter than WINDOW_MINUTES.
      double seconds = (WINDOW_MINUTES - 1) * 60.0 + now.getEpochSecond() % 60 + 1;
      return recent[0] > 0 ? recent[0] / seconds : fallbackItemsPerSecond;
    });
    long ms = (long) Math.ceil((ahead + own) * 1000.0 / rate);
    return new Estimate(position, now.plusMillis(Math.max(1, ms)), rate);
  }

  static <K> double reuse(java.util.Map<K, Reused> cache, K key, Instant now,
      java.util.function.DoubleSupplier read) {
    Reused r = cache.get(key);
    if (r == null || now.toEpochMilli() - r.atMillis() >= REUSE_MILLIS || now.toEpochMilli() < r.atMillis()) {
      r = new Reused(read.getAsDouble(), now.toEpochMilli());
      cache.put(key, r);
    }
    return r.value();
  }

  /** Items ahead, from those of at most {@link #MAX_BATCHES_SUMMED} batches and the number of batches ahead. */
  static long extrapolate(long sampledItems, long batchesAhead) {
    if (batchesAhead <= MAX_BATCHES_SUMMED) {
      return sampledItems;
    }
    return Math.round(sampledItems * (double) batchesAhead / MAX_BATCHES_SUMMED);
  }
}
