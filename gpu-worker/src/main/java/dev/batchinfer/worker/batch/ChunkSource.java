package dev.batchinfer.worker.batch;

/** Where the batcher takes chunks from, already in the order they should be served. */
public interface ChunkSource {

  /** The next chunk, or null at once if none is waiting. */
  PendingChunk poll();

  /** The next chunk, waiting up to {@code nanos}; null if none came. */
  PendingChunk poll(long nanos) throws InterruptedException;
}
