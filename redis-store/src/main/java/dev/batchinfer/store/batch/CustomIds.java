package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Which item each client-given custom id names, for cancelling items by id. */
public final class CustomIds {

  private final Redis redis;
  private final RedisKeys keys;

  public CustomIds(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /**
   * Remembers the custom ids of items while an upload arrives. Until the batch is recorded the index expires
   * after {@code untilRecorded}, so an upload whose API died half-way leaves nothing behind for long;
   * recording the batch keeps it ({@link #keep}).
   */
  public void index(String batchId, String[] customIds, long[] indexes, Duration untilRecorded) {
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i < customIds.length; i++) {
      if (customIds[i] != null) {
        fields.put(customIds[i], Long.toString(indexes[i]));
      }
    }
    if (!fields.isEmpty()) {
      // Pipelined, like a record: it runs per chunk inside the upload's open Kafka transaction.
      RedisClusterAsyncCommands<String, String> a = redis.async();
      Redis.awaitAll(List.of(a.hset(keys.customIds(batchId), fields),
          a.pexpire(keys.customIds(batchId), untilRecorded.toMillis())));
    }
  }

  /** Sent, not awaited: the index is kept like the record from now on (part of a record's pipeline). */
  RedisFuture<Boolean> keep(RedisClusterAsyncCommands<String, String> a, String batchId) {
    return a.persist(keys.customIds(batchId));
  }

  /** The item index of each custom id, null for an id the batch does not have. */
  public List<Long> itemsOf(String batchId, List<String> customIds) {
    if (customIds.isEmpty()) {
      return List.of();
    }
    List<Long> out = new ArrayList<>(customIds.size());
    for (KeyValue<String, String> kv : redis.sync().hmget(keys.customIds(batchId), customIds.toArray(String[]::new))) {
      out.add(kv.hasValue() ? Long.parseLong(kv.getValue()) : null);
    }
    return out;
  }
}
