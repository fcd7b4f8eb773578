package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.RedisKeys.BatchField;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.List;

/**
 * Batches whose submit has not been seen to finish: from the quota reservation, through the record, until its
 * Kafka commit is confirmed. A submit whose API dies in between leaves a reservation or a record that no client
 * got a 202 for (a ghost); an entry here, due when the submit cannot be running any more (its transaction timed
 * out), is how the ghost sweeper finds it. The API confirms right after the commit; if it could not (it died,
 * Redis was down), the sweeper looks for the batch's records in Kafka and confirms or removes it.
 *
 * <p>One sorted set (member "batchId tenant", score the due time in ms) and one field of the batch record
 * ({@link RedisKeys.BatchField#PENDING}, how the batch's chunks went to Kafka, which says where the sweeper looks).
 */
public final class PendingBatches {

  /** How a batch's chunks go to Kafka, and so which record proves that they did. */
  public enum Commit {
    /** In a transaction with a seal on the progress topic (keyed by the batch id). */
    TRANSACTION("transaction"),
    /** One chunk, sent alone as one plain record (keyed "batchId:0"). */
    ALONE("alone");

    public final String wire;

    Commit(String wire) {
      this.wire = wire;
    }

    public static Commit fromWire(String s) {
      return ALONE.wire.equals(s) ? ALONE : TRANSACTION;
    }
  }

  /** An entry that is due: the batch, its tenant (whose reservation it may hold) and when it became due. */
  public record Due(String batchId, String tenant, long dueMs) {}

  private final Redis redis;
  private final RedisKeys keys;

  public PendingBatches(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Before a submit reserves quota: if it never gets as far as its record, the sweeper gives the room back. */
  public void track(String batchId, String tenant, long dueMs) {
    Redis.await(track(redis.async(), batchId, tenant, dueMs));
  }

  RedisFuture<Long> track(RedisClusterAsyncCommands<String, String> a, String batchId, String tenant, long dueMs) {
    return a.zadd(keys.pendingBatches(), (double) dueMs, member(batchId, tenant));
  }

  /**
   * The batch's chunks are committed: it is a batch like any other from now on. Not awaited: the submit has
   * its 202 either way, and the sweeper confirms what this could not.
   */
  public void confirm(String batchId, String tenant) {
    RedisClusterAsyncCommands<String, String> a = redis.async();
    a.hdel(keys.batch(batchId), BatchField.PENDING);
    a.zrem(keys.pendingBatches(), member(batchId, tenant));
  }

  /** Stops tracking: the submit was abandoned and cleaned up, or the sweeper resolved it. */
  public void forget(String batchId, String tenant) {
    redis.sync().zrem(keys.pendingBatches(), member(batchId, tenant));
  }

  /** Entries due by {@code nowMs}, oldest first, at most {@code limit}. */
  public List<Due> due(long nowMs, int limit) {
    List<ScoredValue<String>> page = redis.sync().zrangebyscoreWithScores(keys.pendingBatches(),
        Range.create(Double.NEGATIVE_INFINITY, (double) nowMs), io.lettuce.core.Limit.create(0, limit));
    return page.stream().map(v -> {
      String m = v.getValue();
      int space = m.indexOf(' ');
      return new Due(m.substring(0, space), m.substring(space + 1), (long) v.getScore());
    }).toList();
  }

  /** A due entry's record: how its chunks went (null once confirmed), when it was created, its priority. */
  public record Recorded(Commit commit, long createdMs, Priority priority) {}

  /** @return null if the batch has no record */
  public Recorded recorded(String batchId) {
    List<io.lettuce.core.KeyValue<String, String>> f =
        redis.sync().hmget(keys.batch(batchId), BatchField.STATUS, BatchField.PENDING, BatchField.CREATED,
            BatchField.PRIORITY);
    if (!f.get(0).hasValue()) {
      return null;
    }
    Commit commit = f.get(1).hasValue() ? Commit.fromWire(f.get(1).getValue()) : null;
    long created = f.get(2).hasValue() ? java.time.Instant.parse(f.get(2).getValue()).toEpochMilli() : 0;
    Priority priority = Priority.fromWire(f.get(3).getValueOrElse("")).orElse(Priority.NORMAL);
    return new Recorded(commit, created, priority);
  }

  /** Batch ids are UUIDs (no space); the tenant is the rest. */
  private static String member(String batchId, String tenant) {
    return batchId + " " + tenant;
  }
}
