package dev.batchinfer.worker.batch;

import java.util.function.UnaryOperator;

/** Where the batcher takes chunks from, already in the order they should be served. */
public interface ChunkSource {

  /** The next chunk, or null at once if none is waiting. */
  PendingChunk poll();

  /** The next chunk, waiting up to {@code nanos}; null if none came. */
  PendingChunk poll(long nanos) throws InterruptedException;

  /** {@code source}'s chunks, each handed to {@code then} as it is taken (null in, null out; it may drop one: null). */
  static ChunkSource through(ChunkSource source, UnaryOperator<PendingChunk> then) {
    return new ChunkSource() {
      @Override
      public PendingChunk poll() {
        return then.apply(source.poll());
      }

      @Override
      public PendingChunk poll(long nanos) throws InterruptedException {
        return then.apply(source.poll(nanos));
      }
    };
  }
}
