package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;

import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.progress.StatusProjection;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tenant's queued items against the cap, against a real Redis: reserved once, released once, in any order. */
class QueuedItemsIT {
  private Redis storeRedis;

  private static final long CAP = 1_000;

  private final String prefix = TestInfra.unique("queued") + ":";
  private final String active = prefix + "tenant:{t}:active";
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
    redis.sync().del(active);
    storeRedis.close();
    redis.close();
    client.shutdown();
  }

  @Test
  void reservations_count_up_to_the_cap_and_releases_free_exactly_their_own_items() {
    assertThat(store.quota().reserve("t", "a", 600, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "b", 300, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "c", 101, CAP)).as("900 queued, 101 more passes the cap").isEqualTo(900);
    assertThat(store.quota().reserve("t", "c", 100, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "d", 1, CAP)).isEqualTo(1_000);

    store.quota().release("t", "a");
    store.quota().release("t", "a"); // a second release (a redelivered final state) frees nothing more
    store.quota().release("t", "never-reserved");
    assertThat(store.quota().reserve("t", "d", 601, CAP)).isEqualTo(400);
    assertThat(store.quota().reserve("t", "d", 600, CAP)).isEqualTo(-1);

    store.quota().release("t", "b");
    store.quota().release("t", "c");
    store.quota().release("t", "d");
    assertThat(redis.sync().exists(active)).as("nothing queued leaves no key").isZero();
  }

  @Test
  void a_reservation_made_twice_for_one_batch_counts_once() {
    assertThat(store.quota().reserve("t", "a", 300, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "a", 300, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "b", 700, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "c", 1, CAP)).isEqualTo(1_000);
  }

  @Test
  void a_batch_reserved_again_counts_with_its_new_count_as_a_streamed_upload_does() {
    assertThat(store.quota().reserve("t", "upload", 0, CAP)).as("room checked while it arrives").isEqualTo(-1);
    assertThat(store.quota().reserve("t", "other", 400, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "upload", 601, CAP)).isEqualTo(400);
    assertThat(store.quota().reserve("t", "upload", 600, CAP)).isEqualTo(-1);
    assertThat(store.quota().reserve("t", "more", 1, CAP)).isEqualTo(1_000);

    store.quota().release("t", "upload");
    store.quota().release("t", "other");
    assertThat(redis.sync().exists(active)).isZero();
  }

  @Test
  void an_upload_refused_while_it_arrives_leaves_nothing_when_released() {
    assertThat(store.quota().reserve("t", "upload", 0, CAP)).isEqualTo(-1);
    store.quota().release("t", "upload");
    assertThat(redis.sync().exists(active)).isZero();
  }

  @Test
  void a_hash_written_before_the_running_total_is_added_up_once_and_then_kept() {
    redis.sync().hset(active, Map.of("old-1", "250", "old-2", "250"));

    assertThat(store.quota().reserve("t", "new", 501, CAP)).isEqualTo(500);
    assertThat(store.quota().reserve("t", "new", 500, CAP)).isEqualTo(-1);
    assertThat(redis.sync().hget(active, RedisKeys.QUEUED_TOTAL)).isEqualTo("1000");

    store.quota().release("t", "old-1");
    assertThat(redis.sync().hget(active, RedisKeys.QUEUED_TOTAL)).isEqualTo("750");
  }

  @Test
  void a_batch_reaching_a_final_state_or_removed_before_acceptance_is_released() {
    Instant now = Instant.now();
    for (String id : List.of("done", "abandoned")) {
      store.records().create(BatchRecord.queued(id, "t", "m", "1.0.0", Priority.NORMAL, 400, new long[] {0}, null, List.of(),
          null, now, now, now.plus(Duration.ofHours(1)), Duration.ofMinutes(5)));
      assertThat(store.quota().reserve("t", id, 400, CAP)).isEqualTo(-1);
    }
    assertThat(store.quota().reserve("t", "third", 201, CAP)).isEqualTo(800);

    new StatusProjection(store).accept(new ProgressUpdate("done", BatchStatus.COMPLETED, 400, 0, 0, now, now));
    store.records().delete("abandoned");

    assertThat(store.quota().reserve("t", "third", 1_000, CAP)).isEqualTo(-1);
  }
}
