package dev.batchinfer.worker.publish;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Span;
import dev.batchinfer.observability.Tracing;
import dev.batchinfer.observability.LogContext;
import dev.batchinfer.observability.KafkaContext;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.ResultLines;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.worker.batch.PendingChunk;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes a chunk in the order that makes redelivery harmless: results to Redis (one hash field
 * per chunk), then the chunk-done event to Kafka, then (via {@code onPublished}) the offset may be
 * committed. Everything is asynchronous, so many chunks are in flight at once; a failed step is
 * retried with back-off and the offset stays uncommitted until it succeeds.
 */
public final class ResultPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);
  private static final long MAX_BACKOFF_MS = 30_000;

  private final BatchStores store;
  private final Producer<byte[], byte[]> producer;
  private final Topic<String, ProgressEvent> progress;
  private final String workerId;
  private final Consumer<PendingChunk> onPublished;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "publish-retry"));
  private final java.util.concurrent.ExecutorService sender =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "progress-sender"));
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  public ResultPublisher(BatchStores store, Producer<byte[], byte[]> producer, Topics topics, String workerId,
      Consumer<PendingChunk> onPublished) {
    this.store = store;
    this.producer = producer;
    this.progress = topics.progress();
    this.workerId = workerId;
    this.onPublished = onPublished;
  }

  public void publish(PendingChunk chunk) {
    inFlight.incrementAndGet();
    attempt(chunk, chunk.ndjson(), chunk.failedInputs(), 100);
  }

  /**
   * A chunk with cancelled items (the batch was cancelled or expired, or the client cancelled some
   * items) does not replace answers an earlier delivery of the same chunk already stored: a
   * cancel that came in between must not turn finished items into cancelled ones. Its chunk-done
   * event then counts what is stored, so the counts always match the stored lines.
   */
  private void attempt(PendingChunk chunk, String ndjson, byte[] failedInputs, long backoffMs) {
    ChunkHeader h = chunk.chunk().header();
    boolean keepEarlier = chunk.cancelledCount() > 0;
    int[] own = {chunk.succeededCount(), chunk.failedCount(), chunk.cancelledCount()};
    CompletableFuture<int[]> counts = (keepEarlier ? store.results().writeIfAbsent(h.batchId(), h.chunkIndex(), ndjson)
        : store.results().write(h.batchId(), h.chunkIndex(), ndjson)).toCompletableFuture()
        .thenCompose(written -> !keepEarlier || written ? CompletableFuture.completedFuture(own)
            : store.results().read(h.batchId(), h.chunkIndex()).toCompletableFuture()
                .thenApply(stored -> stored == null ? own : ResultLines.count(stored)));
    // The inputs of items without a result, for a retry; stored with the results, before progress.
    CompletableFuture<?> inputs = failedInputs == null ? CompletableFuture.completedFuture(null)
        : store.failedInputs().write(h.batchId(), h.chunkIndex(), failedInputs, keepEarlier).toCompletableFuture();
    CompletableFuture.allOf(counts, inputs)
        // Not on Lettuce's event loop: a Kafka send may block while the producer's buffer is full.
        .thenComposeAsync(ignored -> sendProgress(chunk, counts.join()), sender)
        .whenComplete((ok, error) -> {
          if (error == null) {
            if (log.isDebugEnabled()) {
              try (LogContext.Scope logs = chunk.logs()) {
                log.debug("{}: results stored and progress sent", chunk);
              }
            }
            onPublished.accept(chunk);
            inFlight.decrementAndGet();
          } else if (closed) {
            inFlight.decrementAndGet();
            try (LogContext.Scope logs = chunk.logs()) {
              log.warn("{}: not published before shutdown; it will be redelivered", chunk);
            }
          } else {
            try (LogContext.Scope logs = chunk.logs()) {
              log.warn("{}: publishing failed, retrying in {} ms: {}", chunk, backoffMs, error.toString());
            }
            retries.schedule(() -> attempt(chunk, ndjson, failedInputs, Math.min(MAX_BACKOFF_MS, backoffMs * 2)),
                backoffMs, TimeUnit.MILLISECONDS);
          }
        });
  }

  /** @param counts {succeeded, failed, cancelled} as stored */
  private CompletableFuture<Void> sendProgress(PendingChunk chunk, int[] counts) {
    ChunkHeader h = chunk.chunk().header();
    ProgressEvent done = new ProgressEvent.ChunkFinished(h.batchId(), h.chunkIndex(), h.chunkCount(), h.totalItems(),
        counts[0], counts[1], counts[2], h.modelVersion(), workerId, System.currentTimeMillis(),
        chunk.skippedForBatchCancel());
    CompletableFuture<Void> sent = new CompletableFuture<>();
    byte[] key = progress.keySerde().serializer().serialize(progress.name(), h.batchId());
    byte[] value = progress.valueSerde().serializer().serialize(progress.name(), done);
    // The chunk's span in the submit's trace: from the moment it was read to its chunk-done event.
    Span span = Tracing.tracer().spanBuilder("worker chunk").setSpanKind(SpanKind.CONSUMER).setParent(chunk.trace())
        .setStartTimestamp(chunk.madeAtEpochNanos(), TimeUnit.NANOSECONDS)
        .setAttribute("batchinfer.batch_id", h.batchId()).setAttribute("batchinfer.chunk", h.chunkIndex())
        .setAttribute("batchinfer.model", h.model() + "@" + h.modelVersion())
        .setAttribute("batchinfer.items", chunk.chunk().itemCount()).startSpan();
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(progress.name(), key, value);
    KafkaContext.inject(chunk.trace().with(span), chunk.tenant(), chunk.requestId(), record.headers());
    producer.send(record, (meta, e) -> {
      if (e == null) {
        span.end();
        sent.complete(null);
      } else {
        span.setStatus(StatusCode.ERROR, e.toString());
        span.end();
        sent.completeExceptionally(e);
      }
    });
    return sent;
  }

  /** Chunks handed over and not yet published (the consumer pauses fetching while this is high). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Waits until nothing is in flight, at most {@code timeout}; true if everything finished. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10); // shutdown path only
    }
    return inFlight.get() == 0;
  }

  @Override
  public void close() {
    closed = true;
    retries.shutdownNow();
    sender.shutdown();
  }
}
