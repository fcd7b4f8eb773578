package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;

import dev.batchinfer.progress.StatusProjection;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Items cancelled one by one, against a real Redis: their set never outlives the batch record. */
class CancelledItemsIT {
  private Redis storeRedis;

  private final String prefix = TestInfra.unique("cancelled") + ":";
  private final RedisKeys keys = new RedisKeys(prefix);
  private BatchStores store;
  private RedisClient client;
  private StatefulRedisConnection<String, String> redis;

  @BeforeEach
  void start() {
    storeRedis = Redis.connect(TestInfra.redisUrl(), prefix);
    store = BatchStores.over(storeRedis);
    client = RedisClient.create(TestInfra.redisUrl());
    redis = client.connect();
  }

  @AfterEach
  void stop() {
    storeRedis.close();
    redis.close();
    client.shutdown();
  }

  private void record(String id) {
    Instant now = Instant.now();
    store.records().create(BatchRecord.queued(id, "t", "m", "1.0.0", Priority.NORMAL, 20_000, new long[] {0}, null, List.of(),
        null, now, now, now.plus(Duration.ofHours(1)), Duration.ofDays(1)));
  }

  @Test
  void items_cancelled_after_the_batch_went_final_expire_with_its_record() {
    record("b1");
    new StatusProjection(store).accept(new ProgressUpdate("b1", BatchStatus.COMPLETED, 10, 0, 0, Instant.now(), Instant.now()));
    long recordTtl = redis.sync().pttl(keys.batch("b1"));
    assertThat(recordTtl).isPositive();

    store.flags().cancelItems("b1", List.of(3L, 7L));

    assertThat(redis.sync().pttl(keys.cancelledItems("b1"))).isPositive().isLessThanOrEqualTo(recordTtl);
  }

  @Test
  void items_cancelled_while_the_batch_runs_are_kept_until_retention_sets_the_ttl() {
    record("b2");
    List<Long> many = LongStream.range(0, 10_000).boxed().toList(); // more than one Lua unpack takes
    store.flags().cancelItems("b2", many);
    assertThat(store.flags().skips("b2").itemsCancelled()).isTrue();
    assertThat(redis.sync().scard(keys.cancelledItems("b2"))).isEqualTo(10_000);
    assertThat(store.flags().cancelledAmong("b2", new long[] {0, 9_999, 10_000})).containsExactly(true, true, false);
    assertThat(redis.sync().pttl(keys.cancelledItems("b2"))).isEqualTo(-1);

    new StatusProjection(store).accept(new ProgressUpdate("b2", BatchStatus.COMPLETED, 10, 0, 0, Instant.now(), Instant.now()));
    assertThat(redis.sync().pttl(keys.cancelledItems("b2"))).isPositive();
  }

  @Test
  void cancelling_items_of_a_removed_batch_leaves_nothing_behind() {
    store.flags().cancelItems("gone", List.of(1L));
    assertThat(redis.sync().exists(keys.batch("gone"), keys.cancelledItems("gone"))).isZero();
  }
}
