package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import io.lettuce.core.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The encoded inputs of items that ended without a result, per chunk, so a retry can run exactly those again. */
public final class FailedInputs {

  private final Redis redis;

  public FailedInputs(Redis redis) {
    this.redis = redis;
  }

  /**
   * Stores a chunk's failed inputs (a chunk record holding only those). {@code ifAbsent}: keep what an earlier
   * delivery of the same chunk stored.
   */
  public CompletionStage<Boolean> write(String batchId, int chunkIndex, byte[] encoded, boolean ifAbsent) {
    String key = redis.keys().failedInputs(batchId);
    return ifAbsent ? redis.binaryAsync().hsetnx(key, Integer.toString(chunkIndex), encoded)
        : redis.binaryAsync().hset(key, Integer.toString(chunkIndex), encoded);
  }

  /** The stored failed inputs of chunks {@code [from, to)}, one entry per chunk, null where none is stored. */
  public List<byte[]> read(String batchId, int from, int to) {
    List<byte[]> out = new ArrayList<>();
    if (from >= to) {
      return out;
    }
    for (KeyValue<String, byte[]> kv : Redis.await(redis.binaryAsync().hmget(redis.keys().failedInputs(batchId),
        ChunkResults.chunkFields(from, to)))) {
      out.add(kv.hasValue() ? kv.getValue() : null);
    }
    return out;
  }
}
