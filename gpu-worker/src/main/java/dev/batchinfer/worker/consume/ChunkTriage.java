package dev.batchinfer.worker.consume;

import dev.batchinfer.store.batch.SkipReason;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.infer.ModelKey;
import dev.batchinfer.worker.shadow.ShadowRuns;
import dev.batchinfer.worker.infer.ModelRunner;
import dev.batchinfer.worker.infer.ResultFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a chunk read from Kafka before any model call: items that must not run (their batch was
 * cancelled or expired, or they were cancelled one by one) and items that cannot run (the model is not served
 * here, the input fails its check) are answered at once; what is left goes to the queue for the model, with a
 * copy for each shadow version. A chunk with nothing left for the model is published directly. A chunk of a
 * paused batch is set aside ({@link Parking}).
 */
public final class ChunkTriage {

  private static final Logger log = LoggerFactory.getLogger(ChunkTriage.class);

  private final LoadedModels models;
  private final SkipWatch skips;
  private final ShadowRuns shadows;
  private final PriorityChunkQueue queue;
  private final Consumer<PendingChunk> publisher;
  private final Parking parking;

  /** @param publisher where a chunk goes that needs no model call (every item is answered already) */
  public ChunkTriage(LoadedModels models, SkipWatch skips, ShadowRuns shadows, PriorityChunkQueue queue,
      Consumer<PendingChunk> publisher, Parking parking) {
    this.parking = parking;
    this.models = models;
    this.skips = skips;
    this.shadows = shadows;
    this.queue = queue;
    this.publisher = publisher;
  }

  /** Whether this worker has the version loaded: a chunk for another may suit another worker. */
  boolean serves(ModelKey key) {
    return models.runner(key).isPresent();
  }

  /** A chunk whose every item is answered without the model goes straight to the publisher. */
  void publishDirectly(PendingChunk chunk) {
    publisher.accept(chunk);
  }

  /** Answers every item that cannot run, then queues the chunk if anything is left for the model. */
  void dispatch(InferenceChunk chunk, ChunkRef ref, Priority priority) {
    ChunkHeader h = chunk.header();
    ModelKey key = ModelKey.of(h);
    SkipReason skip = skips.remaining(h.batchId());
    if (skip.skips()) {
      PendingChunk skipped = new PendingChunk(chunk, key, ref, new int[0]);
      for (int i = 0; i < chunk.itemCount(); i++) {
        skipped.answerCancelled(i, ResultFormatter.error(chunk.itemIndex(i), skip.code, skip.message));
      }
      if (skip == SkipReason.CANCELLED) {
        skipped.markSkippedForBatchCancel();
      }
      publishDirectly(skipped);
      return;
    }
    if (parking.droppedAsMoved(chunk, ref, priority) || parking.parkedAtRead(chunk, ref)) {
      return;
    }
    Optional<ModelRunner> runner = models.runner(key);
    int n = chunk.itemCount();
    int[] runnable = new int[n];
    int count = 0;
    String[] errors = new String[n];
    boolean[] withdrawn = skips.cancelledItems(chunk);
    for (int i = 0; i < n; i++) {
      if (withdrawn != null && withdrawn[i]) {
        continue; // answered below as cancelled
      }
      String problem = runner.isEmpty()
          ? "model " + key + " is not served by this worker (it serves " + models.describe() + ")"
          : runner.get().config().input().checkPayload(chunk.payload(i));
      if (problem == null) {
        runnable[count++] = i;
      } else {
        errors[i] = ResultFormatter.error(chunk.itemIndex(i), runner.isEmpty() ? "model_unavailable" : "invalid_input", problem);
      }
    }
    int[] runs = java.util.Arrays.copyOf(runnable, count);
    PendingChunk pending = new PendingChunk(chunk, key, ref, runs);
    boolean complete = false;
    for (int i = 0; i < n; i++) {
      if (errors[i] != null) {
        complete = pending.answer(i, errors[i], false);
      } else if (withdrawn != null && withdrawn[i]) {
        complete = pending.answerCancelled(i, ResultFormatter.error(chunk.itemIndex(i), "cancelled",
            "the client cancelled this item before it ran"));
      }
    }
    if (count + pending.cancelledCount() < n) {
      log.warn("{}: {} of {} items cannot run; answered with errors", chunk, n - count - pending.cancelledCount(), n);
    }
    if (complete || n == 0) {
      publishDirectly(pending);
      return;
    }
    List<PendingChunk> copies = shadows.copiesOf(pending, h.model(), h.modelVersion(), runs);
    queue.add(priority, pending);
    // Shadow work is background work: it waits behind every client's chunks.
    copies.forEach(copy -> queue.add(Priority.LOW, copy));
  }

}
