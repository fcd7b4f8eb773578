package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.KeyValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Results, stored per chunk (one hash field of NDJSON per chunk), so writing a 1,000-item chunk is one command,
 * not 1,000. Writes are asynchronous so a worker keeps many in flight (pipelined).
 */
public final class ChunkResults {

  private final Redis redis;
  private final RedisKeys keys;

  public ChunkResults(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  public CompletionStage<Boolean> write(String batchId, int chunkIndex, String ndjson) {
    return redis.async().hset(keys.results(batchId), Integer.toString(chunkIndex), ndjson);
  }

  /**
   * Stores a chunk's results only if none are stored yet: a chunk skipped after a cancel must not
   * replace real results that an earlier delivery of the same chunk already wrote.
   */
  public CompletionStage<Boolean> writeIfAbsent(String batchId, int chunkIndex, String ndjson) {
    return redis.async().hsetnx(keys.results(batchId), Integer.toString(chunkIndex), ndjson);
  }

  /** The stored results of one chunk, if a worker answered it. */
  public CompletionStage<String> read(String batchId, int chunkIndex) {
    return redis.async().hget(keys.results(batchId), Integer.toString(chunkIndex));
  }

  /** The stored results of chunks {@code [from, to)}, one entry per chunk, null where none is stored. */
  public List<String> readAligned(String batchId, int from, int to) {
    List<String> out = new ArrayList<>();
    if (from >= to) {
      return out;
    }
    for (KeyValue<String, String> kv : redis.sync().hmget(keys.results(batchId), chunkFields(from, to))) {
      out.add(kv.hasValue() ? kv.getValue() : null);
    }
    return out;
  }

  /** The stored results of chunks {@code [from, to)}, in chunk order; a chunk not yet finished is absent. */
  public List<String> read(String batchId, int from, int to) {
    return readAligned(batchId, from, to).stream().filter(Objects::nonNull).toList();
  }

  /** Which of {@code chunks} have stored results (a worker answered them). */
  public Map<Integer, Boolean> answered(String batchId, Collection<Integer> chunks) {
    Map<Integer, CompletableFuture<Boolean>> replies = new HashMap<>();
    for (int c : chunks) {
      replies.put(c, redis.async().hexists(keys.results(batchId), Integer.toString(c)).toCompletableFuture());
    }
    Map<Integer, Boolean> out = new HashMap<>();
    replies.forEach((c, r) -> out.put(c, r.join()));
    return out;
  }

  /** The hash fields of chunks {@code [from, to)}: their indexes. */
  static String[] chunkFields(int from, int to) {
    String[] fields = new String[to - from];
    for (int i = from; i < to; i++) {
      fields[i - from] = Integer.toString(i);
    }
    return fields;
  }
}
