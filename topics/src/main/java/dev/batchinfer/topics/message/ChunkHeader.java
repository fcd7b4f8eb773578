package dev.batchinfer.topics.message;

/**
 * What a worker needs to know about a chunk besides its items.
 *
 * @param chunkCount chunks in the whole batch, or {@link #UNKNOWN} while a streamed upload is still
 *     arriving (the batch's seal on the progress topic then carries the count)
 * @param totalItems items in the whole batch, or {@link #UNKNOWN} likewise
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

  /** Chunk count and total of a batch whose upload was streamed: not known when its chunks were written. */
  public static final int UNKNOWN = -1;

  public ChunkHeader {
    tenant = tenant == null ? "" : tenant;
  }

  public boolean countsKnown() {
    return chunkCount != UNKNOWN;
  }

  /** A header of no particular tenant (records written by other producers, tests). */
  public ChunkHeader(String batchId, int chunkIndex, int chunkCount, long totalItems, String model, String modelVersion,
      Priority priority, long createdAtMs) {
    this(batchId, chunkIndex, chunkCount, totalItems, model, modelVersion, priority, createdAtMs, "");
  }
}
