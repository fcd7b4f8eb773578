package dev.batchinfer.api.read;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The completion estimate against a real Redis queue: with a full sample of batches ahead it reads
 * the queue once a second, whoever asks; with fewer ahead it reads them every time.
 */
class EtaEstimatorIT {
  private Redis storeRedis;

  private static final int FALLBACK_ITEMS_PER_SECOND = 1_000;
  private static final int ITEMS_PER_BATCH = 100;
  private static final int QUEUED = 40;
  private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

  private final String prefix = TestInfra.unique("eta") + ":";
  private final RedisKeys keys = new RedisKeys(prefix);
  private final MovableClock clock = new MovableClock(T0.plusSeconds(60));
  private BatchStores store;
  private ModelTelemetry telemetry;
  private RedisClient client;
  private StatefulRedisConnection<String, String> redis;
  private EtaEstimator estimator;

  @BeforeEach
  void start() {
    storeRedis = Redis.connect(TestInfra.redisUrl(), prefix);
    store = BatchStores.over(storeRedis);
    telemetry = new ModelTelemetry(storeRedis);
    client = RedisClient.create(TestInfra.redisUrl());
    redis = client.connect();
    // No throughput measured for the model: the fallback rate makes every estimate exact to compute.
    estimator = new EtaEstimator(store.queue(), telemetry, FALLBACK_ITEMS_PER_SECOND, clock);
    for (int i = 0; i < QUEUED; i++) {
      store.records().create(batch("queued-" + i, ITEMS_PER_BATCH, T0.plusMillis(i)));
    }
  }

  @AfterEach
  void stop() {
    List<String> ours = redis.sync().keys(prefix + "*");
    if (!ours.isEmpty()) {
      redis.sync().del(ours.toArray(String[]::new));
    }
    storeRedis.close();
    redis.close();
    client.shutdown();
  }

  @Test
  void with_a_full_sample_ahead_the_queue_is_read_once_a_second_and_then_afresh() {
    BatchRecord last = batch("last", 500, T0.plusMillis(QUEUED));

    EtaEstimator.Estimate first = estimator.estimate(last);
    assertThat(first.position()).isEqualTo(QUEUED);
    // The oldest 32 batches hold 3,200 items; 40 batches ahead count as 4,000; with its own 500, 4.5 s.
    assertThat(first.completion()).isEqualTo(clock.instant().plusMillis(4_500));

    finish(0, 16); // half of the sampled batches are done
    clock.advance(Duration.ofMillis(EtaEstimator.REUSE_MILLIS - 1));
    assertThat(estimator.estimate(last).completion()).as("the same sample, within the second")
        .isEqualTo(clock.instant().plusMillis(4_500));

    clock.advance(Duration.ofMillis(1));
    // Read again: 1,600 items left in the sample, 2,000 counted for the 40 batches, plus 500: 2.5 s.
    assertThat(estimator.estimate(last).completion()).isEqualTo(clock.instant().plusMillis(2_500));
  }

  @Test
  void with_fewer_batches_ahead_than_the_sample_they_are_read_every_time() {
    BatchRecord early = batch("early", 500, T0.plusMillis(10)); // after queued-0 to queued-9

    EtaEstimator.Estimate before = estimator.estimate(early);
    assertThat(before.position()).isEqualTo(10);
    assertThat(before.completion()).isEqualTo(clock.instant().plusMillis(1_500)); // 1,000 ahead + 500

    finish(0, 5);
    assertThat(estimator.estimate(early).completion()).as("no reuse below a full sample")
        .isEqualTo(clock.instant().plusMillis(1_000));
  }

  /** Marks queued batches {@code from} to {@code to} (exclusive) as having answered all their items. */
  private void finish(int from, int to) {
    for (int i = from; i < to; i++) {
      redis.sync().hset(keys.batch("queued-" + i), "completed", Integer.toString(ITEMS_PER_BATCH));
    }
  }

  private static BatchRecord batch(String id, long items, Instant created) {
    return BatchRecord.queued(id, "t", "m", "1", Priority.NORMAL, items, new long[] {0}, null, List.of(), null, created,
        created, created.plus(Duration.ofHours(1)), Duration.ofHours(1));
  }

  /** A clock the test moves by hand. */
  private static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
