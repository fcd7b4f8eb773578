package dev.batchinfer.worker.consume;

import dev.batchinfer.store.batch.ParkedChunks;
import dev.batchinfer.store.batch.SkipFlags;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the chunks of a paused batch aside in Redis instead of running them, when they are read and again when
 * they leave the queue for the model, so a pause takes effect within about a second and the partition goes on
 * with other batches. A chunk is stored first and the pause checked after (not from the cache): if the batch
 * resumed meanwhile the chunk is taken back and runs here, so no chunk is left parked for a batch that no longer
 * parks. The record's offset is then done: the chunk lives in Redis until the API releases it.
 */
public final class Parking {

  private static final Logger log = LoggerFactory.getLogger(Parking.class);

  /** Parks nothing: for tests and workers without a store. */
  public static final Parking NONE = new Parking(id -> false, null, null, null);

  private final Predicate<String> pausedCached;
  private final Function<String, SkipFlags.Skips> fresh;
  private final ParkedChunks store;
  private final ChunkOutcomes outcomes;

  /**
   * @param pausedCached batch id → whether it is paused, as the skip watch last saw it (at most a second old)
   * @param fresh batch id → its flags read from Redis now
   */
  public Parking(Predicate<String> pausedCached, Function<String, SkipFlags.Skips> fresh, ParkedChunks store,
      ChunkOutcomes outcomes) {
    this.pausedCached = pausedCached;
    this.fresh = fresh;
    this.store = store;
    this.outcomes = outcomes;
  }

  /** At read: whether the chunk was parked (and its record is done). */
  boolean parkedAtRead(InferenceChunk chunk, ChunkRef ref) {
    if (!pausedCached.test(chunk.header().batchId()) || !park(chunk)) {
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
      if (pausedCached.test(chunk.chunk().header().batchId()) && park(chunk.chunk())) {
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
    if (fresh.apply(h.batchId()).parks()) {
      log.debug("{}: set aside while its batch is paused", chunk);
      return true;
    }
    store.unpark(h.batchId(), h.chunkIndex()); // resumed (or cancelled) meanwhile: run it here
    return false;
  }
}
