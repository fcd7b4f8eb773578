package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.RedisKeys.BatchField;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Unfinished batches by priority and arrival: what stands ahead of a batch, for its queue position and its
 * estimate. A batch joins when recorded and leaves when it ends or is deleted.
 */
public final class BatchQueue {

  private final Redis redis;
  private final RedisKeys keys;

  public BatchQueue(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Sent, not awaited: a batch joins the queue of its priority (part of a record's pipeline). */
  RedisFuture<Long> join(RedisClusterAsyncCommands<String, String> a, String batchId, Priority priority, Instant created) {
    return a.zadd(keys.queue(priority), (double) created.toEpochMilli(), batchId);
  }

  public void leave(String batchId, Priority priority) {
    redis.sync().zrem(keys.queue(priority), batchId);
  }

  /** Unfinished batches of the priority (queued or running), all tenants. */
  public long depth(Priority priority) {
    return redis.sync().zcard(keys.queue(priority));
  }

  /** Unfinished batches that workers serve before this one: every higher priority, and earlier ones of its own. */
  public long batchesAhead(Priority priority, Instant created) {
    // Pipelined: each round trip waits for a thread on a busy host.
    List<RedisFuture<Long>> counts = countsAhead(redis.async(), priority, created);
    Redis.awaitAll(counts);
    return sum(counts);
  }

  /** Sent, not awaited: one count per priority served before {@code priority}, and the earlier ones of its own. */
  List<RedisFuture<Long>> countsAhead(RedisClusterAsyncCommands<String, String> a, Priority priority, Instant created) {
    List<RedisFuture<Long>> counts = new ArrayList<>();
    for (Priority p : Priority.values()) {
      if (p.ordinal() < priority.ordinal()) {
        counts.add(a.zcard(keys.queue(p)));
      }
    }
    counts.add(a.zcount(keys.queue(priority), Range.create(Double.NEGATIVE_INFINITY, (double) created.toEpochMilli() - 0.5)));
    return counts;
  }

  static long sum(List<RedisFuture<Long>> counts) {
    return counts.stream().mapToLong(f -> f.toCompletableFuture().join()).sum();
  }

  /** Items still to answer in up to {@code limit} of the batches ahead (the estimate's work ahead). */
  public long itemsAhead(Priority priority, Instant created, int limit) {
    List<String> ids = new ArrayList<>();
    for (Priority p : Priority.values()) {
      if (p.ordinal() < priority.ordinal() && ids.size() < limit) {
        ids.addAll(redis.sync().zrange(keys.queue(p), 0, limit - ids.size() - 1));
      }
    }
    if (ids.size() < limit) {
      ids.addAll(redis.sync().zrangebyscore(keys.queue(priority),
          Range.create(Double.NEGATIVE_INFINITY, (double) created.toEpochMilli() - 0.5),
          io.lettuce.core.Limit.create(0, limit - ids.size())));
    }
    return remainingItems(ids);
  }

  /** Items still to answer in the oldest {@code limit} unfinished batches of the priority. */
  public long itemsQueued(Priority priority, int limit) {
    return remainingItems(redis.sync().zrange(keys.queue(priority), 0, limit - 1));
  }

  private long remainingItems(List<String> ids) {
    // Status reads compute this: send every HMGET at once (pipelined), then add up the answers.
    List<CompletableFuture<List<KeyValue<String, String>>>> replies = new ArrayList<>(ids.size());
    for (String id : ids) {
      replies.add(redis.async().hmget(keys.batch(id), BatchField.TOTAL, BatchField.COMPLETED, BatchField.FAILED,
          BatchField.CANCELLED).toCompletableFuture());
    }
    long items = 0;
    for (var reply : replies) {
      List<KeyValue<String, String>> f = reply.join();
      long total = Long.parseLong(f.get(0).getValueOrElse("0"));
      long done = Long.parseLong(f.get(1).getValueOrElse("0")) + Long.parseLong(f.get(2).getValueOrElse("0"))
          + Long.parseLong(f.get(3).getValueOrElse("0"));
      items += Math.max(0, total - done);
    }
    return items;
  }
}
