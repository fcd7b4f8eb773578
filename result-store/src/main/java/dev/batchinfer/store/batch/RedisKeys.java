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

  /** Hash: custom id → item index, for cancelling items by id. */
  public String customIds(String batchId) {
    return prefix + "batch:{" + batchId + "}:custom-ids";
  }

  /**
   * Hash: chunk index → the encoded inputs of that chunk's items that ended without a result (a
   * chunk record in the binary chunk format), so a retry can run exactly those again.
   */
  public String failedInputs(String batchId) {
    return prefix + "batch:{" + batchId + "}:failed-inputs";
  }

  /** Set: the indexes (decimal) of the items cancelled one by one, by custom id. */
  public String cancelledItems(String batchId) {
    return prefix + "batch:{" + batchId + "}:cancelled-items";
  }

  /**
   * Hash: chunk index → "1" once the chunk's items were counted in the model version's statistics,
   * so a redelivered chunk is not counted twice. Outside the batch's keys: it holds only chunk numbers,
   * lives two days from the last count (longer than any redelivery), and a count that lands after the
   * batch's retention TTLs were set must not revive a key under {@code batch:{id}}.
   */
  public String telemetryCounted(String batchId) {
    return prefix + "telemetry-counted:{" + batchId + "}";
  }

  /** Sorted set: "batchId tenant" → when its submit is due to have finished (ms), until confirmed; see {@link PendingBatches}. */
  public String pendingBatches() {
    return prefix + "pending-batches";
  }
}
