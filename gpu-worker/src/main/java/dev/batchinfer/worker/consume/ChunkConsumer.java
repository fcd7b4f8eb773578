package dev.batchinfer.worker.consume;

import dev.batchinfer.models.InputSpec;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.topics.serde.UndecodableRecordException;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.infer.ModelRunner;
import dev.batchinfer.worker.infer.ResultFormatter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * consumer; an undecodable record goes to the dead-letter topic; anything else is logged with
 * its batch and chunk and the loop goes on.
 */
public final class ChunkConsumer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ChunkConsumer.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Priority> priorityOfTopic = new HashMap<>();
  private final LoadedModels models;
  private final PriorityChunkQueue queue;
  private final Consumer<PendingChunk> publishDirectly;
  private final DeadLetters deadLetters;
  private final int maxBufferedChunks;
  private final long commitIntervalNanos;
  private final OffsetTracker offsets = new OffsetTracker();
  private final ConcurrentLinkedQueue<ChunkRef> finished = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private volatile boolean halted;
  private long lastCommitNanos = System.nanoTime();

  /**
   * @param publishDirectly where a chunk goes that needs no model call (every item failed its check)
   */
  public ChunkConsumer(KafkaConsumer<byte[], byte[]> consumer, Topics topics, LoadedModels models,
      PriorityChunkQueue queue, Consumer<PendingChunk> publishDirectly, DeadLetters deadLetters,
      int maxBufferedChunks, Duration commitInterval) {
    this.consumer = consumer;
    for (Priority p : Priority.values()) {
      priorityOfTopic.put(topics.requests(p).name(), p);
    }
    this.models = models;
    this.queue = queue;
    this.publishDirectly = publishDirectly;
    this.deadLetters = deadLetters;
    this.maxBufferedChunks = maxBufferedChunks;
    this.commitIntervalNanos = commitInterval.toNanos();
  }

  /** Called from any thread once a chunk's results and progress are stored. */
  public void published(PendingChunk chunk) {
    finished.add((ChunkRef) chunk.source());
  }

  /** Asks the loop to commit what is finished and leave the group. */
  public void stop() {
    running = false;
    consumer.wakeup();
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
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          accept(record);
        }
        markFinished();
        if (System.nanoTime() - lastCommitNanos >= commitIntervalNanos) {
          commit(false);
        }
        applyBackpressure();
      }
    } catch (WakeupException e) {
      // stop() was called
    } catch (AuthenticationException | AuthorizationException | UnsupportedVersionException e) {
      log.error("fatal Kafka error; this worker stops consuming", e);
    } finally {
      if (!halted) {
        markFinished();
        commit(true);
      }
      consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(5));
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    ChunkRef ref = new ChunkRef(tp, record.offset());
    offsets.started(tp, record.offset());
    InferenceChunk chunk;
    try {
      chunk = ChunkCodec.decode(record.value());
    } catch (UndecodableRecordException e) {
      log.warn("{}-{}@{}: undecodable, sent to the dead-letter topic: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      deadLetters.send(record, e.getMessage(), (meta, error) -> {
        if (error == null) {
          finished.add(ref);
        } else {
          log.error("{}-{}@{}: dead-letter write failed; the record will be redelivered", record.topic(),
              record.partition(), record.offset(), error);
        }
      });
      return;
    }
    try {
      dispatch(chunk, ref, priorityOfTopic.get(record.topic()));
    } catch (RuntimeException e) {
      log.error("{}: could not be queued; it will be redelivered", chunk, e);
    }
  }

  /** Answers every item that cannot run, then queues the chunk if anything is left for the model. */
  private void dispatch(InferenceChunk chunk, ChunkRef ref, Priority priority) {
    ChunkHeader h = chunk.header();
    String key = LoadedModels.key(h.model(), h.modelVersion());
    Optional<ModelRunner> runner = models.runner(key);
    int n = chunk.itemCount();
    int[] runnable = new int[n];
    int count = 0;
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      String problem = runner.isEmpty()
          ? "model " + key + " is not served by this worker (it serves " + models.describe() + ")"
          : runner.get().config().input().checkPayload(chunk.payload(i));
      if (problem == null) {
        runnable[count++] = i;
      } else {
        errors[i] = ResultFormatter.error(chunk.itemIndex(i), runner.isEmpty() ? "model_unavailable" : "invalid_input", problem);
      }
    }
    PendingChunk pending = new PendingChunk(chunk, key, ref, java.util.Arrays.copyOf(runnable, count));
    boolean complete = false;
    for (int i = 0; i < n; i++) {
      if (errors[i] != null) {
        complete = pending.answer(i, errors[i], false);
      }
    }
    if (count < n) {
      log.warn("{}: {} of {} items cannot run; answered with errors", chunk, n - count, n);
    }
    if (complete || n == 0) {
      publishDirectly.accept(pending);
    } else {
      queue.add(priority, pending);
    }
  }

  private void markFinished() {
    ChunkRef ref;
    while ((ref = finished.poll()) != null) {
      offsets.done(ref.partition(), ref.offset());
    }
  }

  private void commit(boolean sync) {
    lastCommitNanos = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> ready = offsets.drainCommittable();
    if (ready.isEmpty()) {
      return;
    }
    try {
      if (sync) {
        consumer.commitSync(ready);
      } else {
        consumer.commitAsync(ready, (o, e) -> {
          if (e != null) {
            log.warn("offset commit failed (the chunks will be redelivered and counted once): {}", e.toString());
          }
        });
      }
    } catch (RuntimeException e) {
      log.warn("offset commit failed (the chunks will be redelivered and counted once): {}", e.toString());
    }
  }

  private void applyBackpressure() {
    Set<TopicPartition> assigned = consumer.assignment();
    for (Map.Entry<String, Priority> e : priorityOfTopic.entrySet()) {
      List<TopicPartition> parts = assigned.stream().filter(tp -> tp.topic().equals(e.getKey())).toList();
      if (parts.isEmpty()) {
        continue;
      }
      if (queue.size(e.getValue()) >= maxBufferedChunks) {
        consumer.pause(parts);
      } else {
        consumer.resume(parts);
      }
    }
  }

  /** Commits what is finished before giving partitions up, and forgets their waiting chunks. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (!halted) {
        markFinished();
        commit(true);
      }
      forget(revoked);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      log.info("assigned {}", assigned);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      forget(lost);
    }

    private void forget(Collection<TopicPartition> parts) {
      if (parts.isEmpty()) {
        return;
      }
      Set<TopicPartition> gone = Set.copyOf(parts);
      gone.forEach(offsets::forget);
      int dropped = queue.removeIf(c -> gone.contains(((ChunkRef) c.source()).partition()));
      log.info("revoked {}; dropped {} waiting chunks (the new owner reads them)",
          gone.stream().map(TopicPartition::toString).collect(Collectors.joining(",")), dropped);
    }
  }
}
