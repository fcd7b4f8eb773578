package dev.batchinfer.store.batch;

/**
 * Every Redis key this system writes. Keys of one batch share the hash tag {@code {batchId}} so
 * they live in one Redis Cluster slot and can be read together.
 */
public record RedisKeys(String prefix) {

  /** Hash: the batch record and its status. */
  public String batch(String batchId) {
    return prefix + "batch:{" + batchId + "}";
  }

  /** Hash: chunk index → that chunk's results as NDJSON, one line per item in input order. */
  public String results(String batchId) {
    return prefix + "batch:{" + batchId + "}:results";
  }
}
