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

  // An id held by an item below the floor (an earlier, confirmed append) is taken; one at or above it was left by
  // an append that never committed, and is this append's to reuse.
  private static final String INDEX_ABOVE = """
      for i = 2, #ARGV, 2 do
        local held = redis.call('HGET', KEYS[1], ARGV[i])
        if held and tonumber(held) < tonumber(ARGV[1]) then return ARGV[i] end
      end
      for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
      return ''""";

  private final Redis redis;
  private final RedisKeys keys;
  private final Redis.Script indexAbove;

  public CustomIds(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
    this.indexAbove = redis.script(INDEX_ABOVE);
  }

  /**
   * Indexes the custom ids of an open batch's append, whose items start at {@code floor}, unless one is already
   * the batch's: then nothing is indexed and that id is returned (else null).
   */
  public String indexAppended(String batchId, String[] customIds, long[] indexes, long floor) {
    List<String> args = new ArrayList<>();
    args.add(Long.toString(floor));
    for (int i = 0; i < customIds.length; i++) {
      if (customIds[i] != null) {
        args.add(customIds[i]);
        args.add(Long.toString(indexes[i]));
      }
    }
    if (args.size() == 1) {
      return null;
    }
    String taken = indexAbove.run(io.lettuce.core.ScriptOutputType.VALUE, new String[] {keys.customIds(batchId)},
        args.toArray(String[]::new));
    return taken == null || taken.isEmpty() ? null : taken;
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
