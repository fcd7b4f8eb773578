package dev.batchinfer.worker.consume;

import dev.batchinfer.store.batch.SkipReason;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.topics.serde.UndecodableRecordException;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.infer.ModelKey;
import dev.batchinfer.worker.infer.ModelRunner;
import dev.batchinfer.worker.infer.ResultFormatter;
import dev.batchinfer.worker.shadow.ShadowRuns;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import dev.batchinfer.store.batch.BatchRecord;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one Kafka consumer, on its own thread: fetches chunks from the three request topics,
 * checks every item, queues the chunk by priority, and commits offsets of chunks whose results are
 * published. A priority whose queue is full has its partitions paused, so fetching never runs ahead
 * of the model and high-priority records keep flowing while low ones back up.
 *
 * <p>Errors in tiers: fatal ones (authentication, authorisation, unsupported version) stop the
 * consumer; an undecodable record goes to the dead-letter topic (and the items of a known batch's
 * chunk are answered failed); a Redis failure while checking a
 * chunk reads it again (an outage is never a reason to dead-letter); anything else is logged with
 * its batch and chunk and the loop goes on.
 */
public final class ChunkConsumer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ChunkConsumer.class);

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final Map<String, Priority> priorityOfTopic = new HashMap<>();
  private final LoadedModels models;
  private final PriorityChunkQueue queue;
  private final Consumer<PendingChunk> publishDirectly;
  private final DeadLetters deadLetters;
  private final OffsetCommits offsets;
  private final ChunkOutcomes outcomes;
  private final Requeue requeue;
  private final ChunkTriage triage;
  private final CorruptChunks corruptChunks;
  private final Backpressure backpressure;
  private volatile boolean running = true;
  private volatile boolean halted;

  /**
   * @param publishDirectly where a chunk goes that needs no model call (every item failed its check)
   * @param batches batch id → its record, to answer the items of a chunk whose record is corrupt
   */
  public ChunkConsumer(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, Topics topics, LoadedModels models,
      PriorityChunkQueue queue, Consumer<PendingChunk> publishDirectly, DeadLetters deadLetters,
      int maxBufferedChunks, Duration commitInterval, IntSupplier unpublished, ShadowRuns shadows, Requeue requeue,
      SkipWatch skips, Function<String, Optional<BatchRecord>> batches, ChunkOutcomes outcomes) {
    this.triage = new ChunkTriage(models, skips, shadows, queue, publishDirectly);
    this.corruptChunks = new CorruptChunks(batches);
    this.consumer = consumer;
    for (Priority p : Priority.values()) {
      priorityOfTopic.put(topics.requests(p).name(), p);
    }
    this.models = models;
    this.queue = queue;
    this.backpressure = new Backpressure(consumer, priorityOfTopic, queue, maxBufferedChunks, unpublished);
    queue.onTaken(backpressure::roomFreed);
    this.outcomes = outcomes;
    this.offsets = new OffsetCommits(consumer, outcomes, queue, commitInterval);
    outcomes.onPublished(backpressure::roomFreed);
    this.publishDirectly = publishDirectly;
    this.deadLetters = deadLetters;
    this.requeue = requeue;
  }

  /**
   * Stops fetching (every partition paused) while the loop goes on committing what finishes, so a
   * worker told to stop can run what it holds first; {@link #stop} then leaves the group.
   */
  public void drain() {
    backpressure.drain();
  }

  /** Asks the loop to commit what is finished and leave the group. */
  public void stop() {
    running = false;
    consumer.wakeup();
    backpressure.wake();
  }

  /** Stops without committing anything more, as a killed process would. For fault tests. */
  public void halt() {
    halted = true;
    stop();
  }

  @Override
  public void run() {
    consumer.subscribe(priorityOfTopic.keySet(), new Rebalance());
    try {
      backpressure.loopRunsOn(Thread.currentThread());
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(backpressure.pollTimeout())) {
            accept(record);
          }
          offsets.afterPoll();
          backpressure.apply();
        } catch (WakeupException | AuthenticationException | AuthorizationException | UnsupportedVersionException e) {
          throw e;
        } catch (RuntimeException e) {
          log.error("consumer loop error; continuing", e);
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } catch (AuthenticationException | AuthorizationException | UnsupportedVersionException e) {
      log.error("fatal Kafka error; this worker stops consuming", e);
    } finally {
      if (!halted) {
        try {
          offsets.commitFinished();
        } catch (WakeupException e) {
          offsets.commitFinished(); // the wakeup from stop() is spent now; the offsets were put back
        }
      }
      consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(5));
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    ChunkRef ref = new ChunkRef(tp, record.offset());
    offsets.started(ref);
    InferenceChunk chunk;
    try {
      chunk = ChunkCodec.decode(record.value());
    } catch (UndecodableRecordException e) {
      undecodable(record, ref, e.getMessage());
      return;
    }
    if (models.runner(ModelKey.of(chunk.header())).isEmpty() && requeue.mayWander(chunk.header().createdAtMs(), System.currentTimeMillis())) {
      // Not ours to take: another worker in the group may have this version loaded.
      requeue.send(record, (meta, error) -> outcomes.sent(ref, error));
      return;
    }
    try {
      triage.dispatch(chunk, ref, priorityOfTopic.get(record.topic()));
    } catch (io.lettuce.core.RedisException e) {
      // A dependency outage, not a bad record: read it again later, never dead-letter it.
      log.warn("{}: Redis failed while checking it; reading it again: {}", chunk, e.toString());
      outcomes.readAgain(ref);
    } catch (RuntimeException e) {
      // Our own failure on this record would repeat on every delivery: park it, do not loop.
      log.error("{}: cannot be processed", chunk, e);
      deadLetter(record, ref, "worker failed on this chunk: " + e);
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
    } catch (io.lettuce.core.RedisException e) {
      log.warn("{}-{}@{}: undecodable, and Redis cannot say whose it is; reading it again: {}", record.topic(),
          record.partition(), record.offset(), e.toString());
      outcomes.readAgain(ref);
      return;
    }
    if (known.isEmpty()) {
      deadLetter(record, ref, reason);
      return;
    }
    log.warn("{}: undecodable ({}); its {} items are answered failed", known.get(), reason, known.get().chunk().itemCount());
    deadLetter(record, reason, error -> {
      if (error == null) {
        publishDirectly.accept(known.get());
      } else {
        outcomes.readAgain(ref);
      }
    });
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, ChunkRef ref, String reason) {
    deadLetter(record, reason, error -> outcomes.sent(ref, error));
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, Consumer<Exception> whenStored) {
    log.warn("{}-{}@{}: sent to the dead-letter topic: {}", record.topic(), record.partition(), record.offset(), reason);
    deadLetters.send(record, reason, (meta, error) -> {
      if (error != null) {
        log.error("{}-{}@{}: dead-letter write failed; reading it again", record.topic(), record.partition(),
            record.offset(), error);
      }
      whenStored.accept(error);
    });
  }

  /** Commits what is finished before giving partitions up, and forgets their waiting chunks. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (!halted) {
        offsets.commitFinished();
      }
      offsets.forget(revoked);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      log.info("assigned {} partitions", assigned.size());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      offsets.forget(lost);
    }
  }
}
