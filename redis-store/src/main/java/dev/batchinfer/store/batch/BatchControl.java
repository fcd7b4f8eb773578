package dev.batchinfer.store.batch;

import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.message.ProgressEvent;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Stops (or pauses, or resumes) a batch, the one way it is done: first a flag on its record, which workers see within about a
 * second and so skip what is left, then an event on the progress topic, where the topology orders it with the
 * batch's chunks and decides the outcome. In that order: an event without its flag would let workers spend the
 * model on chunks that no longer count; a flag without its event (the send failed) is repaired by sending again,
 * and both steps are idempotent.
 */
public final class BatchControl {

  private final SkipFlags flags;
  private final Producer<String, ProgressEvent> producer;
  private final Topic<String, ProgressEvent> progress;

  public BatchControl(SkipFlags flags, Producer<String, ProgressEvent> producer, Topic<String, ProgressEvent> progress) {
    this.flags = flags;
    this.producer = producer;
    this.progress = progress;
  }

  /** The client cancelled the batch; completes once the cancel is durable on the progress topic. */
  public CompletableFuture<Void> cancel(BatchRecord batch, long nowMs) {
    flags.flagCancelled(batch.batchId());
    return send(new ProgressEvent.CancelRequested(batch.batchId(), batch.knownChunkCount(), batch.knownTotal(), nowMs));
  }

  /** The batch's completion window passed ({@code reason}: why it had not finished); durable on the progress topic. */
  public CompletableFuture<Void> expire(BatchRecord batch, long nowMs, String reason) {
    flags.flagExpired(batch.batchId());
    return send(new ProgressEvent.Expired(batch.batchId(), batch.knownChunkCount(), batch.knownTotal(), nowMs, reason));
  }

  /** The window of a batch that runs past it passed: no flag (its items still run), only the count changes. */
  public CompletableFuture<Void> deadlinePassed(BatchRecord batch, long nowMs) {
    return send(new ProgressEvent.DeadlinePassed(batch.batchId(), batch.knownChunkCount(), batch.knownTotal(), nowMs));
  }

  /** The client paused the batch: workers set its chunks aside; completes once the pause is on the progress topic. */
  public CompletableFuture<Void> pause(BatchRecord batch, long nowMs) {
    flags.flagPaused(batch.batchId());
    return send(new ProgressEvent.Paused(batch.batchId(), batch.knownChunkCount(), batch.knownTotal(), nowMs));
  }

  /**
   * The client resumed the batch: workers run its chunks again. Those set aside meanwhile are sent back to the
   * queue by their release ({@code ParkedRelease} in the API), which may start once the flag is gone.
   */
  public CompletableFuture<Void> resume(BatchRecord batch, long nowMs) {
    flags.clearPaused(batch.batchId());
    return send(new ProgressEvent.Resumed(batch.batchId(), batch.knownChunkCount(), batch.knownTotal(), nowMs));
  }

  /**
   * The client moved the batch to another priority (its record already says so): the event puts the change in the
   * batch's history, in order with its chunks.
   */
  public CompletableFuture<Void> reprioritise(BatchRecord batch, dev.batchinfer.topics.message.Priority to, long nowMs) {
    return send(new ProgressEvent.PriorityChanged(batch.batchId(), batch.knownChunkCount(), batch.knownTotal(), nowMs,
        batch.priority(), to));
  }

  /**
   * An open batch's total fixed, at what its confirmed appends add up to (its finalize, or a cancel, holding the
   * batch's append slot so none is in flight); durable on the progress topic.
   */
  public CompletableFuture<Void> seal(String batchId, int chunks, long total, long nowMs) {
    return send(new ProgressEvent.Sealed(batchId, chunks, total, nowMs));
  }

  private CompletableFuture<Void> send(ProgressEvent event) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      producer.send(new ProducerRecord<>(progress.name(), event.batchId(), event), (meta, e) -> {
        if (e == null) {
          sent.complete(null);
        } else {
          sent.completeExceptionally(e);
        }
      });
    } catch (RuntimeException e) {
      sent.completeExceptionally(e); // refused before it was queued (producer closed, metadata timeout)
    }
    return sent;
  }
}
