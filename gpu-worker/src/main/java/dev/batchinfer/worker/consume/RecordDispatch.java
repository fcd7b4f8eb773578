package dev.batchinfer.worker.consume;

import io.opentelemetry.context.Scope;
import dev.batchinfer.observability.LogContext;
import dev.batchinfer.observability.KafkaContext;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.topics.serde.UndecodableRecordException;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.ModelKey;
import io.lettuce.core.RedisException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one record read from a request topic goes: to the {@link ChunkTriage} (and so to the queue
 * or straight to the publisher), back to the topic for a worker that has its version, or to the
 * dead-letter topic. Whichever it is, the record's outcome reaches {@link ChunkOutcomes}: done once
 * it is taken care of, or read again after a failure that is not the record's fault.
 *
 * <p>An undecodable record goes to the dead-letter topic (and the items of a known batch's chunk are
 * answered failed); a Redis failure while checking a chunk reads it again (an outage is never a
 * reason to dead-letter); our own failure on a record dead-letters it, since it would repeat.
 */
public final class RecordDispatch {

  private static final Logger log = LoggerFactory.getLogger(RecordDispatch.class);

  private final ChunkTriage triage;
  private final Requeue requeue;
  private final DeadLetters deadLetters;
  private final CorruptChunks corruptChunks;
  private final ChunkOutcomes outcomes;

  /** @param batches batch id → its record, to answer the items of a chunk whose record is corrupt */
  public RecordDispatch(ChunkTriage triage, Requeue requeue, DeadLetters deadLetters,
      Function<String, Optional<BatchRecord>> batches, ChunkOutcomes outcomes) {
    this.triage = triage;
    this.requeue = requeue;
    this.deadLetters = deadLetters;
    this.corruptChunks = new CorruptChunks(batches);
    this.outcomes = outcomes;
  }

  /**
   * On the consumer's thread, for a record of the request topic of {@code priority}: in the record's
   * log and trace context, which a chunk made from it keeps for the threads that run and publish it.
   */
  void accept(ConsumerRecord<byte[], byte[]> record, ChunkRef ref, Priority priority) {
    try (LogContext.Scope logs = KafkaContext.logs(batchIdOf(record.key()), record.headers());
        Scope trace = KafkaContext.trace(record.headers()).makeCurrent()) {
      dispatch(record, ref, priority);
    }
  }

  /** The batch a chunk record's key ({@code batchId:chunkIndex}) names, or null. */
  static String batchIdOf(byte[] key) {
    if (key == null) {
      return null;
    }
    String text = new String(key, java.nio.charset.StandardCharsets.UTF_8);
    int colon = text.lastIndexOf(':');
    return colon > 0 ? text.substring(0, colon) : null;
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> record, ChunkRef ref, Priority priority) {
    InferenceChunk chunk;
    try {
      chunk = ChunkCodec.decode(record.value());
    } catch (UndecodableRecordException e) {
      undecodable(record, ref, e.getMessage());
      return;
    }
    if (!triage.serves(ModelKey.of(chunk.header()))
        && requeue.mayWander(chunk.header().createdAtMs(), System.currentTimeMillis())) {
      // Not ours to take: another worker in the group may have this version loaded.
      requeue.send(record, (meta, error) -> outcomes.sent(ref, error));
      return;
    }
    try {
      triage.dispatch(chunk, ref, priority);
    } catch (RedisException e) {
      // A dependency outage, not a bad record: read it again later, never dead-letter it.
      log.warn("{}: Redis failed while checking it; reading it again: {}", chunk, e.toString());
      outcomes.readAgain(ref);
    } catch (RuntimeException e) {
      // Our own failure on this record would repeat on every delivery: park it, do not loop.
      log.error("{}: cannot be processed", chunk, e);
      deadLetter(record, ref, DeadLetters.Kind.WORKER_ERROR, "worker failed on this chunk: " + e);
    }
  }

  /**
   * To the dead-letter topic; if the record is a chunk of a known batch, its items are then answered
   * failed, and the offset is done once they are published (else once the dead letter is stored).
   */
  private void undecodable(ConsumerRecord<byte[], byte[]> record, ChunkRef ref, String reason) {
    Optional<PendingChunk> known;
    try {
      known = corruptChunks.answerAll(record.key(), reason, ref);
    } catch (RedisException e) {
      log.warn("{}-{}@{}: undecodable, and Redis cannot say whose it is; reading it again: {}", record.topic(),
          record.partition(), record.offset(), e.toString());
      outcomes.readAgain(ref);
      return;
    }
    if (known.isEmpty()) {
      deadLetter(record, ref, DeadLetters.Kind.UNDECODABLE, reason);
      return;
    }
    log.warn("{}: undecodable ({}); its {} items are answered failed", known.get(), reason, known.get().chunk().itemCount());
    deadLetter(record, DeadLetters.Kind.UNDECODABLE, reason, error -> {
      if (error == null) {
        triage.publishDirectly(known.get());
      } else {
        outcomes.readAgain(ref);
      }
    });
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, ChunkRef ref, DeadLetters.Kind kind, String reason) {
    deadLetter(record, kind, reason, error -> outcomes.sent(ref, error));
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetters.Kind kind, String reason,
      Consumer<Exception> whenStored) {
    log.warn("{}-{}@{}: sent to the dead-letter topic: {}", record.topic(), record.partition(), record.offset(), reason);
    deadLetters.send(record, kind, reason, (meta, error) -> {
      if (error != null) {
        log.error("{}-{}@{}: dead-letter write failed; reading it again", record.topic(), record.partition(),
            record.offset(), error);
      }
      whenStored.accept(error);
    });
  }
}
