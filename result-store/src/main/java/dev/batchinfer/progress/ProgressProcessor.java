package dev.batchinfer.progress;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.header.Headers;
import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Span;
import dev.batchinfer.observability.Tracing;
import dev.batchinfer.observability.LogContext;
import dev.batchinfer.observability.KafkaContext;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.ProgressEvent.CancelRequested;
import dev.batchinfer.topics.message.ProgressEvent.ChunkFinished;
import dev.batchinfer.topics.message.ProgressEvent.Expired;
import dev.batchinfer.topics.message.ProgressEvent.Paused;
import dev.batchinfer.topics.message.ProgressEvent.PriorityChanged;
import dev.batchinfer.topics.message.ProgressEvent.Resumed;
import dev.batchinfer.topics.message.ProgressEvent.Sealed;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds progress events into exact per-batch progress, writes it to Redis and forwards one event
 * when the batch reaches its outcome.
 *
 * <p>Runs under exactly-once: the store update and the forwarded event commit together with the
 * consumed offset. The Redis write is a side effect outside that transaction, so it is idempotent
 * (absolute values, times taken from the events) and a replay writes the same thing again.
 */
final class ProgressProcessor implements Processor<String, ProgressEvent, String, BatchEvent> {

  private static final Logger log = LoggerFactory.getLogger(ProgressProcessor.class);

  private static final int[] MILESTONES = {25, 50, 75};

  private final String storeName;
  private final Consumer<ProgressUpdate> statusSink;
  private final ProgressMetrics metrics;
  private KeyValueStore<String, BatchProgress> store;
  private ProcessorContext<String, BatchEvent> context;

  ProgressProcessor(String storeName, Consumer<ProgressUpdate> statusSink, ProgressMetrics metrics) {
    this.storeName = storeName;
    this.statusSink = statusSink;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, BatchEvent> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, ProgressEvent> record) {
    Headers in = record.headers();
    Span span = Tracing.tracer().spanBuilder("progress " + kind(record.value())).setSpanKind(SpanKind.CONSUMER)
        .setParent(KafkaContext.trace(in)).setAttribute("batchinfer.batch_id", String.valueOf(record.key())).startSpan();
    try (LogContext.Scope logs = KafkaContext.logs(record.key(), in); Scope current = span.makeCurrent()) {
      fold(record);
    } finally {
      span.end();
    }
  }

  /**
   * Forwards an event downstream. Called inside {@link #process}, whose span is current and whose log
   * context holds the record's tenant and request id: the event carries them on to the dispatcher.
   */
  private void forward(String batchId, BatchEvent event, long timestamp) {
    context.forward(new Record<>(batchId, event, timestamp, KafkaContext.inject(new RecordHeaders())));
  }

  private static String kind(ProgressEvent e) {
    return e == null ? "unreadable" : e.getClass().getSimpleName();
  }

  private void fold(Record<String, ProgressEvent> record) {
    ProgressEvent event = record.value();
    if (event == null || record.key() == null || !record.key().equals(event.batchId())) {
      log.warn("skipping malformed progress record key={} value={}", record.key(), event);
      return;
    }
    BatchProgress progress = store.get(event.batchId());
    if (event instanceof Sealed seal) {
      // A streamed upload's is in its transaction, so before any chunk of the batch; an open batch's comes from its
      // finalize, after its chunks. A batch already final (expired or cancelled before its seal was read) keeps
      // its outcome.
      boolean first = progress == null;
      if (first) {
        progress = BatchProgress.start(seal);
      }
      if (first || !progress.countsKnown() && !progress.status().isFinal()) {
        BatchProgress next = progress.sealed(seal);
        store.put(seal.batchId(), next);
        if (next.status().isFinal()) {
          statusSink.accept(update(next));
          finished(next, record.timestamp());
        }
      }
      return;
    }
    if (progress == null) {
      progress = BatchProgress.start(event);
    }
    if (event instanceof ProgressEvent.Appended) {
      store.put(progress.batchId(), progress); // the proof of an append's commit; its counts come with the seal
      return;
    }
    if (event instanceof Expired expiry) {
      expire(progress, expiry, record.timestamp());
    } else if (event instanceof CancelRequested) {
      cancel(progress);
    } else if (event instanceof ChunkFinished chunk) {
      count(progress, chunk, record.timestamp());
    } else if (event instanceof Paused paused) {
      pauseOrResume(progress, true, paused.atMs(), record.timestamp());
    } else if (event instanceof Resumed resumed) {
      pauseOrResume(progress, false, resumed.atMs(), record.timestamp());
    } else if (event instanceof ProgressEvent.DeadlinePassed passed && !progress.status().isFinal()
        && progress.deadline().passedAtMs() == 0) {
      BatchProgress next = progress.deadlinePassed(passed.atMs());
      statusSink.accept(update(next));
      store.put(next.batchId(), next);
      log.info("batch {}: its completion window passed; it runs on ({} of {} answered)", next.batchId(),
          next.completed() + next.failed() + next.cancelled(), next.total());
    } else if (event instanceof PriorityChanged moved && !progress.status().isFinal()) {
      BatchProgress next = progress.reprioritised(moved.from().wire(), moved.to().wire(), moved.atMs());
      changed(next, "priority_changed", moved.atMs(), record.timestamp());
    }
  }

  /** A pause or resume of a batch still running; asked twice, or too late, it changes nothing. */
  private void pauseOrResume(BatchProgress progress, boolean pause, long atMs, long timestamp) {
    if (progress.status().isFinal() || progress.status() == BatchStatus.CANCELLING || progress.paused() == pause) {
      return;
    }
    changed(progress.pausedAs(pause, atMs), pause ? "paused" : "resumed", atMs, timestamp);
  }

  /** A change the client asked for: recorded in the history and announced. */
  private void changed(BatchProgress next, String change, long atMs, long timestamp) {
    statusSink.accept(update(next));
    store.put(next.batchId(), next);
    log.info("batch {} {}", next.batchId(), change);
    forward(next.batchId(), BatchEvent.control(next.batchId(), change, next.status(), next.completed(), next.failed(),
        next.total(), atMs), timestamp);
  }

  private void expire(BatchProgress progress, Expired expiry, long timestamp) {
    if (progress.status().isFinal()) {
      return; // finished in time, or already expired
    }
    BatchProgress expired = progress.expired(expiry.atMs(), expiry.reason());
    statusSink.accept(update(expired));
    store.put(expired.batchId(), expired);
    metrics.finished(expired.status());
    log.info("batch {} expired: {} completed, {} failed of {}", expired.batchId(), expired.completed(), expired.failed(),
        expired.total());
    forward(expired.batchId(), BatchEvent.of(expired.batchId(), expired.status(),
        expired.completed(), expired.failed(), expired.total(), expiry.atMs()), timestamp);
  }

  private void cancel(BatchProgress progress) {
    if (progress.status().isFinal() || progress.status() == BatchStatus.CANCELLING) {
      return; // too late, or asked twice
    }
    BatchProgress next = progress.cancelling();
    statusSink.accept(update(next));
    store.put(next.batchId(), next);
    log.info("batch {} cancelling", next.batchId());
  }

  private void count(BatchProgress progress, ChunkFinished done, long timestamp) {
    if (progress.countsKnown() && done.chunkIndex() >= progress.chunkCount()) {
      log.warn("batch {}: chunk {} is outside 0..{}; skipped", done.batchId(), done.chunkIndex(), progress.chunkCount() - 1);
      return;
    }
    if (progress.hasChunk(done.chunkIndex()) || progress.status().isFinal()) {
      log.debug("batch {}: chunk {} already counted; duplicate delivery ignored", done.batchId(), done.chunkIndex());
      metrics.duplicate();
      return;
    }
    BatchProgress next = progress.withChunk(done);
    statusSink.accept(update(next));
    store.put(done.batchId(), next);
    metrics.counted();
    long before = progress.completed() + progress.failed() + progress.cancelled();
    long after = next.completed() + next.failed() + next.cancelled();
    for (int percent : MILESTONES) {
      // Crossed in this step: exactly once per batch, since a chunk is counted once.
      if (before * 100 < percent * next.total() && after * 100 >= percent * next.total()) {
        forward(next.batchId(), BatchEvent.milestone(next.batchId(), percent, next.completed(),
            next.failed(), next.total(), done.atMs()), timestamp);
      }
    }
    if (next.status().isFinal()) {
      finished(next, timestamp);
    }
  }

  /** A batch that has just ended, by its last chunk or by the seal that came after it. */
  private void finished(BatchProgress next, long timestamp) {
    metrics.finished(next.status());
    log.info("batch {} {}: {} completed, {} failed of {}", next.batchId(), next.status().wire(),
        next.completed(), next.failed(), next.total());
    BatchEvent event = BatchEvent.of(next.batchId(), next.status(), next.completed(), next.failed(), next.total(),
        next.completedAtMs());
    forward(next.batchId(), event, timestamp);
  }

  private static ProgressUpdate update(BatchProgress p) {
    return new ProgressUpdate(p.batchId(), p.status(), p.completed(), p.failed(), p.cancelled(), instant(p.startedAtMs()),
        instant(p.completedAtMs()), p.history(), p.deadline());
  }

  private static Instant instant(long ms) {
    return ms == 0 ? null : Instant.ofEpochMilli(ms);
  }
}
