package dev.batchinfer.topics.message;

/**
 * What a worker needs to know about a chunk besides its items.
 *
 * @param chunkCount chunks in the whole batch
 * @param totalItems items in the whole batch
 * @param modelVersion the version the batch was pinned to when it was accepted
 * @param tenant who submitted the batch: workers share their time fairly between tenants
 */
public record ChunkHeader(
    String batchId,
    int chunkIndex,
    int chunkCount,
    long totalItems,
    String model,
    String modelVersion,
    Priority priority,
    long createdAtMs,
    String tenant) {

  public ChunkHeader {
    tenant = tenant == null ? "" : tenant;
  }

  /** A header of no particular tenant (records written by other producers, tests). */
  public ChunkHeader(String batchId, int chunkIndex, int chunkCount, long totalItems, String model, String modelVersion,
      Priority priority, long createdAtMs) {
    this(batchId, chunkIndex, chunkCount, totalItems, model, modelVersion, priority, createdAtMs, "");
  }
}
