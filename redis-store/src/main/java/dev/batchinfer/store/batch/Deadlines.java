package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Instant;
import java.util.List;

/** When each batch's completion window ends, for the expiry scanner. */
public final class Deadlines {

  private final Redis redis;
  private final RedisKeys keys;

  public Deadlines(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Sent, not awaited (part of a record's pipeline). */
  RedisFuture<Long> set(RedisClusterAsyncCommands<String, String> a, String batchId, Instant deadline) {
    return a.zadd(keys.deadlines(), (double) deadline.toEpochMilli(), batchId);
  }

  /** Batches whose completion window ended by {@code nowMs} (finished ones included), at most {@code limit}. */
  public List<String> passed(long nowMs, int limit) {
    return redis.sync().zrangebyscore(keys.deadlines(), Range.create(Double.NEGATIVE_INFINITY, (double) nowMs),
        Limit.create(0, limit));
  }

  public void clear(String batchId) {
    redis.sync().zrem(keys.deadlines(), batchId);
  }
}
