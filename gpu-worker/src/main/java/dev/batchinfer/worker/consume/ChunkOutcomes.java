package dev.batchinfer.worker.consume;

import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What became of records the consumer handed on, told from the threads that finish them (the
 * publisher, the callbacks of dead-letter and requeue sends): done, so the offset may be committed,
 * or to be read again. Only the consumer's own thread may touch its Kafka consumer, so they wait
 * here for its loop. Made before the consumer and the publisher, and handed to both.
 */
public final class ChunkOutcomes {

  private final ConcurrentLinkedQueue<ChunkRef> done = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<ChunkRef> readAgain = new ConcurrentLinkedQueue<>();
  private volatile Runnable onPublished = () -> { };

  /** A chunk's results and progress are stored. A shadow copy has no record, so nothing to mark. */
  public void published(PendingChunk chunk) {
    if (chunk.origin() instanceof ChunkRef ref) {
      done.add(ref);
    }
    onPublished.run();
  }

  /** Called after each {@link #published}: a consumer that waits for the publisher may go on. */
  void onPublished(Runnable listener) {
    this.onPublished = listener;
  }

  void readAgain(ChunkRef ref) {
    readAgain.add(ref);
  }

  /** A send that stands for the record (a dead letter, a hand-back) ended: done if it was stored. */
  void sent(ChunkRef ref, Exception error) {
    (error == null ? done : readAgain).add(ref);
  }

  /** The next record that is done, or null; on the consumer's thread. */
  ChunkRef nextDone() {
    return done.poll();
  }

  /** The next record to read again, or null; on the consumer's thread. */
  ChunkRef nextReadAgain() {
    return readAgain.poll();
  }
}
