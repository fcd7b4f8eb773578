package dev.batchinfer.worker.consume;

import dev.batchinfer.store.batch.ParkedChunks;
import dev.batchinfer.store.batch.SkipFlags;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.topics.message.Priority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chunks that leave this worker without running: those of a paused batch, set aside in Redis when they are read
 * and again when they leave the queue for the model, so a pause takes effect within about a second and the
 * partition goes on with other batches; and the originals of chunks copied to the topic of their batch's new
 * priority, dropped when read (only those the copy is known for: any other runs where it is). A chunk is stored first and the pause checked after (not from the cache): if the batch
 * resumed meanwhile the chunk is taken back and runs here, so no chunk is left parked for a batch that no longer
 * parks. The record's offset is then done: the chunk lives in Redis until the API releases it.
 */
public final class Parking {

  private static final Logger log = LoggerFactory.getLogger(Parking.class);

  /** Parks and drops nothing: for tests of other parts. */
  public static final Parking NONE = new Parking(new SkipWatch(id -> SkipFlags.Skips.NONE, (id, indexes) -> null),
      null, null, null);

  private final SkipWatch cached;
  private final SkipFlags flags;
  private final ParkedChunks store;
  private final ChunkOutcomes outcomes;

  /**
   * @param cached the flags as the skip watch last saw them (at most a second old)
   * @param flags the flags in Redis, read now where a decision must not be stale
   */
  public Parking(SkipWatch cached, SkipFlags flags, ParkedChunks store, ChunkOutcomes outcomes) {
    this.cached = cached;
    this.flags = flags;
    this.store = store;
    this.outcomes = outcomes;
  }

  /** At read, from the topic of {@code read}: whether the chunk is a moved one's original, dropped (its record done). */
  boolean droppedAsMoved(InferenceChunk chunk, ChunkRef ref, Priority read) {
    ChunkHeader h = chunk.header();
    if (!cached.movedFrom(h.batchId(), read) || !flags.isMoved(h.batchId(), h.chunkIndex())) {
      return false;
    }
    log.debug("{}: its copy is on the {} queue now; this one is dropped", chunk, read.wire());
    outcomes.sent(ref, null);
    return true;
  }

  /** At read: whether the chunk was parked (and its record is done). */
  boolean parkedAtRead(InferenceChunk chunk, ChunkRef ref) {
    if (!cached.parks(chunk.header().batchId()) || !park(chunk)) {
      return false;
    }
    outcomes.sent(ref, null);
    return true;
  }

  /**
   * At the model: the chunk taken from the queue, or null if it was parked instead. A Redis failure here runs the
   * chunk: it has left Kafka's hands, and running a paused chunk is the lesser harm.
   */
  public PendingChunk runOrPark(PendingChunk chunk) {
    if (chunk == null || !(chunk.origin() instanceof ChunkRef ref)) {
      return chunk; // nothing, or a shadow copy: it has no record to hand back
    }
    try {
      if (cached.parks(chunk.chunk().header().batchId()) && park(chunk.chunk())) {
        outcomes.sent(ref, null);
        return null;
      }
    } catch (RuntimeException e) {
      log.warn("{}: cannot set it aside for its batch's pause; running it: {}", chunk, e.toString());
    }
    return chunk;
  }

  private boolean park(InferenceChunk chunk) {
    ChunkHeader h = chunk.header();
    store.park(h.batchId(), h.chunkIndex(), ChunkCodec.encode(chunk));
    if (flags.skips(h.batchId()).parks()) {
      log.debug("{}: set aside while its batch is paused", chunk);
      return true;
    }
    store.unpark(h.batchId(), h.chunkIndex()); // resumed (or cancelled) meanwhile: run it here
    return false;
  }
}
