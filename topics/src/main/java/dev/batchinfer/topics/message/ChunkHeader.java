package dev.batchinfer.topics.message;

/**
 * What a worker needs to know about a chunk besides its items.
 *
 * @param chunkCount chunks in the whole batch
 * @param totalItems items in the whole batch
 * @param modelVersion the version the batch was pinned to when it was accepted
 */
public record ChunkHeader(
    String batchId,
    int chunkIndex,
    int chunkCount,
    long totalItems,
    String model,
    String modelVersion,
    Priority priority,
    long createdAtMs) {}
