package dev.batchinfer.topics.message;

/**
 * A worker finished one chunk: its results are already in Redis. Carries the batch's totals so the
 * progress topology needs nothing but this topic to know when a batch is done.
 *
 * @param succeeded items with a result
 * @param failed items with an error
 */
public record ChunkDone(
    String batchId,
    int chunkIndex,
    int chunkCount,
    long totalItems,
    int succeeded,
    int failed,
    String modelVersion,
    String workerId,
    long finishedAtMs) {}
