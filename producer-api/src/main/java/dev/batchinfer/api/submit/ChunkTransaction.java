package dev.batchinfer.api.submit;

import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.ProgressEvent;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import dev.batchinfer.observability.KafkaContext;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One batch's chunks in one Kafka transaction, sent as they come. Nothing is visible to workers (which
 * read committed records only) until {@link #commit}; closing it uncommitted aborts, and then nothing of
 * the batch ever is. Sends are asynchronous (the producer's buffer bounds what is in flight); the first
 * failure is kept and reported by the next call. Not thread-safe: one submit uses it.
 */
public final class ChunkTransaction implements AutoCloseable {

  /** Where the transaction stands; a broken one's producer is discarded, never reused. */
  private enum State { NOT_BEGUN, OPEN, COMMITTED, BROKEN }

  private final TransactionalPool pool;
  private final TransactionalPool.Slot slot;
  private final Topics topics;
  private final String batchId;
  private final ChunkHeader template;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private int next;
  private State state = State.NOT_BEGUN;

  ChunkTransaction(TransactionalPool pool, TransactionalPool.Slot slot, Topics topics, String batchId,
      ChunkHeader template, int firstChunk) {
    this.next = firstChunk;
    this.pool = pool;
    this.slot = slot;
    this.topics = topics;
    this.batchId = batchId;
    this.template = template;
  }

  /** Sends the next chunk (chunk indexes count up from the first, 0 but for an append). */
  public void send(Chunker.ChunkItems c) {
    check();
    ChunkHeader h = new ChunkHeader(batchId, next, template.chunkCount(), template.totalItems(), template.model(),
        template.modelVersion(), template.priority(), template.createdAtMs(), template.tenant());
    ProducerRecord<String, byte[]> record;
    try {
      record = ChunkPublisher.chunkRecord(topics, h, c, slot.producer());
    } catch (RuntimeException e) { // no metadata for the topic within max.block.ms
      state = State.BROKEN;
      throw new PublishException("batch " + batchId + ": chunk not sent to Kafka: " + e.getMessage(), e);
    }
    send(record);
    next++;
  }

  /** Sends a progress event inside the transaction (a streamed upload's seal). */
  public void sendProgress(ProgressEvent event) {
    check();
    Topic<String, ProgressEvent> progress = topics.progress();
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(progress.name(), batchId, progress.valueSerde().serializer().serialize(progress.name(), event));
    KafkaContext.inject(record.headers());
    send(record);
  }

  private void send(ProducerRecord<String, byte[]> record) {
    try {
      if (state == State.NOT_BEGUN) {
        slot.producer().beginTransaction();
        state = State.OPEN;
      }
      slot.producer().send(record, (meta, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
      });
    } catch (RuntimeException e) {
      state = State.BROKEN;
      throw new PublishException("batch " + batchId + ": chunk not sent to Kafka: " + e.getMessage(), e);
    }
  }

  private void check() {
    if (state == State.COMMITTED) {
      throw new IllegalStateException("batch " + batchId + ": transaction already committed");
    }
    Exception e = failure.get();
    if (e != null) {
      state = State.BROKEN;
      throw new PublishException("batch " + batchId + ": chunks not committed to Kafka: " + e.getMessage(), e);
    }
  }

  /**
   * Commits: every chunk sent becomes visible to workers at once.
   *
   * @throws PublishException if it did not commit within the timeout; nothing is then visible
   */
  public void commit() {
    check();
    try {
      if (state == State.NOT_BEGUN) {
        throw new IllegalStateException("batch " + batchId + ": nothing was sent");
      }
      commit(slot.producer());
      check(); // every send completed by the commit; surfaces any error
      state = State.COMMITTED;
    } catch (PublishException e) {
      state = State.BROKEN;
      throw e;
    } catch (RuntimeException e) {
      state = State.BROKEN;
      throw new PublishException("batch " + batchId + ": chunks not committed to Kafka: " + e.getMessage(), e);
    }
  }

  /** A commit that timed out may be retried (Kafka allows it); the second answer is final. */
  private static void commit(Producer<String, byte[]> producer) {
    try {
      producer.commitTransaction();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      producer.commitTransaction();
    }
  }

  /** Aborts unless committed, and gives the producer back. */
  @Override
  public void close() {
    try {
      if (state == State.OPEN) {
        // The producer is healthy (the client went away, or a line was invalid): abort now, so the
        // partitions' last stable offset moves on at once instead of at the transaction timeout.
        try {
          slot.producer().abortTransaction();
        } catch (RuntimeException e) {
          state = State.BROKEN;
        }
      }
    } finally {
      if (state == State.BROKEN) {
        pool.discard(slot);
      } else {
        pool.giveBack(slot);
      }
    }
  }
}
