package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.RedisKeys.BatchField;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import java.util.List;

/**
 * What workers must skip of a batch: flags on its record, set before the matching progress event is sent
 * (see {@code BatchControl}), so workers stop spending the model on work that will not count.
 */
public final class SkipFlags {

  /**
   * What workers must skip of a batch; {@code itemsCancelled}: some items were cancelled one by one; {@code paused}:
   * its chunks are set aside until it resumes (a cancel or an expiry wins over a pause).
   */
  public record Skips(SkipReason remaining, boolean itemsCancelled, boolean paused, Priority priority) {
    /** Nothing to skip; the priority unknown (null), so no chunk counts as moved. */
    public static final Skips NONE = new Skips(SkipReason.NONE, false, false, null);

    public Skips(SkipReason remaining, boolean itemsCancelled) {
      this(remaining, itemsCancelled, false, null);
    }

    /** Whether a chunk read from the topic of {@code read} belongs to a batch that moved to another priority since. */
    public boolean movedFrom(Priority read) {
      return priority != null && priority != read;
    }

    /** Whether its chunks are to be set aside now: paused, and neither cancelled nor expired. */
    public boolean parks() {
      return paused && !remaining.skips();
    }
  }

  /**
   * Marks items cancelled one by one (ARGV[2..]; ARGV[1] the record's flag). In one step with the record's
   * state, so the set never outlives it: a batch that went final meanwhile (its retention TTLs already set)
   * passes its TTL on, and a removed batch gets nothing. SADD in slices: Lua's unpack takes a few thousand
   * values at most.
   */
  private static final String CANCEL_ITEMS = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      for i = 2, #ARGV, 1000 do
        redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
      end
      redis.call('HSET', KEYS[1], ARGV[1], 'true')
      local ttl = redis.call('PTTL', KEYS[1])
      if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
      return 1
      """;

  private final Redis redis;
  private final RedisKeys keys;
  private final Redis.Script cancelItems;

  public SkipFlags(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
    this.cancelItems = redis.script(CANCEL_ITEMS);
  }

  /** Workers skip the rest of a batch the client cancelled. */
  public void flagCancelled(String batchId) {
    redis.sync().hset(keys.batch(batchId), BatchField.CANCEL_REQUESTED, "true");
  }

  /** Workers skip the rest of a batch whose window passed. */
  public void flagExpired(String batchId) {
    redis.sync().hset(keys.batch(batchId), BatchField.EXPIRE_REQUESTED, "true");
  }

  /** Workers set the batch's chunks aside from now on. */
  public void flagPaused(String batchId) {
    redis.sync().hset(keys.batch(batchId), BatchField.PAUSE_REQUESTED, "true");
  }

  /** Workers run the batch's chunks again; those set aside meanwhile are released separately. */
  public void clearPaused(String batchId) {
    redis.sync().hdel(keys.batch(batchId), BatchField.PAUSE_REQUESTED);
  }

  public Skips skips(String batchId) {
    List<KeyValue<String, String>> f = redis.sync().hmget(keys.batch(batchId), BatchField.EXPIRE_REQUESTED,
        BatchField.CANCEL_REQUESTED, BatchField.ITEMS_CANCELLED, BatchField.PAUSE_REQUESTED, BatchField.PRIORITY);
    SkipReason remaining = f.get(0).hasValue() ? SkipReason.EXPIRED
        : f.get(1).hasValue() ? SkipReason.CANCELLED : SkipReason.NONE;
    Priority priority = f.get(4).hasValue() ? Priority.fromWire(f.get(4).getValue()).orElse(null) : null;
    return new Skips(remaining, f.get(2).hasValue(), f.get(3).hasValue(), priority);
  }

  /** The chunks of a batch copied to its new priority's topic: their originals are dropped. */
  public void markMoved(String batchId, java.util.Collection<Integer> chunkIndexes) {
    if (!chunkIndexes.isEmpty()) {
      redis.sync().sadd(keys.movedChunks(batchId), chunkIndexes.stream().map(String::valueOf).toArray(String[]::new));
    }
  }

  /** Whether this chunk's copy is on its batch's new priority's topic (so the original read now is dropped). */
  public boolean isMoved(String batchId, int chunkIndex) {
    return Boolean.TRUE.equals(redis.sync().sismember(keys.movedChunks(batchId), Integer.toString(chunkIndex)));
  }

  /** Workers answer these items {@code cancelled} if they have not run yet. */
  public void cancelItems(String batchId, List<Long> indexes) {
    if (indexes.isEmpty()) {
      return;
    }
    String[] args = new String[indexes.size() + 1];
    args[0] = BatchField.ITEMS_CANCELLED;
    for (int i = 0; i < indexes.size(); i++) {
      args[i + 1] = indexes.get(i).toString();
    }
    cancelItems.run(ScriptOutputType.INTEGER, new String[] {keys.batch(batchId), keys.cancelledItems(batchId)}, args);
  }

  /** For each of {@code indexes}, whether that item was cancelled one by one. */
  public boolean[] cancelledAmong(String batchId, long[] indexes) {
    boolean[] out = new boolean[indexes.length];
    List<Boolean> members = redis.sync().smismember(keys.cancelledItems(batchId),
        java.util.Arrays.stream(indexes).mapToObj(Long::toString).toArray(String[]::new));
    for (int i = 0; i < out.length; i++) {
      out[i] = Boolean.TRUE.equals(members.get(i));
    }
    return out;
  }
}
