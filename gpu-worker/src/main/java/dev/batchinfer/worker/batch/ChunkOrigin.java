package dev.batchinfer.worker.batch;

/**
 * What a chunk stands for. One read from Kafka carries its record's place ({@link ChunkRef}): it is
 * published, and its offset committed once it is. A shadow copy ({@link #SHADOW}) runs on another
 * version only to be compared with the chunk it copies: nothing of it is published, and no offset
 * waits for it.
 */
public sealed interface ChunkOrigin permits ChunkRef, ChunkOrigin.Shadow {

  ChunkOrigin SHADOW = new Shadow();

  /** See {@link #SHADOW}. */
  record Shadow() implements ChunkOrigin {}
}
