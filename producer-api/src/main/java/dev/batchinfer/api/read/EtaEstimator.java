package dev.batchinfer.api.read;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchQueue;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.topics.message.Priority;
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
  public static final int WINDOW_MINUTES = 5;
  /**
   * Batches ahead whose remaining items are read and added up. Every 202 and every status read of a
   * waiting batch computes this, so it is a sample: with more batches ahead, their remaining items are
   * taken to average what the sampled (oldest) ones have left. Reading all of them made each submit
   * during a traffic spike cost hundreds of Redis reads.
   */
  public static final int MAX_BATCHES_SUMMED = 32;
  /**
   * How long a measured throughput and a full sample of the work ahead are used again. Both change
   * slowly (the throughput is a five-minute average), and without this every 202 and every status
   * read of a waiting batch during a spike cost about 40 Redis commands in 12 round trips.
   */
  static final long REUSE_MILLIS = 1_000;

  /** {@code position} (batches ahead) 0 means nothing is ahead; {@code itemsAhead} -1 when not known. */
  public record Estimate(long position, long itemsAhead, Instant completion, double itemsPerSecond) {}

  private final BatchQueue store;
  private final ModelTelemetry telemetry;
  private final int fallbackItemsPerSecond;
  private final Clock clock;
  private final java.util.Map<ModelVersion, Reused> rates = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<Priority, Reused> samples =
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
    long own = Math.max(0, b.total() - b.completed() - b.failed() - b.cancelled());
    return estimate(b.priority(), b.created(), b.model(), b.modelVersion(), own, position);
  }

  /** For a batch of {@code items} for this version submitted now: everything queued at or above its priority is ahead. */
  public Estimate estimateNew(String model, String version, Priority priority, long items) {
    Instant now = clock.instant();
    return estimate(priority, now, model, version, items, store.batchesAhead(priority, now));
  }

  private Estimate estimate(Priority priority, Instant created, String model, String version, long own, long position) {
    Instant now = clock.instant();
    // With a full sample ahead, the sample is the oldest batches of the queue, whoever asks: the
    // same for every batch of this priority, so one reading serves them all for a while.
    long sampled = position < MAX_BATCHES_SUMMED
        ? store.itemsAhead(priority, created, MAX_BATCHES_SUMMED)
        : (long) reuse(samples, priority, now, () -> store.itemsAhead(priority, created, MAX_BATCHES_SUMMED));
    long ahead = extrapolate(sampled, position);
    double measured = measuredItemsPerSecond(model, version);
    double rate = measured > 0 ? measured : fallbackItemsPerSecond;
    long ms = (long) Math.ceil((ahead + own) * 1000.0 / rate);
    return new Estimate(position, ahead, now.plusMillis(Math.max(1, ms)), rate);
  }

  /** What the version's workers answered per second over the last {@link #WINDOW_MINUTES} minutes; 0 if nothing. */
  public double measuredItemsPerSecond(String model, String version) {
    Instant now = clock.instant();
    return reuse(rates, new ModelVersion(model, version), now, () -> {
      long[] recent = telemetry.itemsAndErrors(model, version, WINDOW_MINUTES, now.toEpochMilli());
      // The current minute is partly over, so the window is a little shorter than WINDOW_MINUTES.
      double seconds = (WINDOW_MINUTES - 1) * 60.0 + now.getEpochSecond() % 60 + 1;
      return recent[0] / seconds;
    });
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
  public static long extrapolate(long sampledItems, long batchesAhead) {
    if (batchesAhead <= MAX_BATCHES_SUMMED) {
      return sampledItems;
    }
    return Math.round(sampledItems * (double) batchesAhead / MAX_BATCHES_SUMMED);
  }
}
