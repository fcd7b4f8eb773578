package dev.batchinfer.worker.consume;

import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkRef;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one Kafka consumer, on its own thread: fetches chunks from the three request topics,
 * hands each record to the {@link RecordDispatch}, and commits offsets of chunks whose results are
 * published ({@link OffsetCommits}). Fetching never runs ahead of the model ({@link Backpressure}).
 *
 * <p>Errors in tiers: fatal ones (authentication, authorisation, unsupported version) stop the
 * consumer; what a record itself causes is the dispatch's to settle; anything else is logged and
 * the loop goes on.
 */
public final class ChunkConsumer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ChunkConsumer.class);

  /**
   * How much the worker may hold before fetching stops, and how often offsets are committed.
   *
   * @param queue where fetched chunks wait for the model; a priority with {@code maxBufferedChunks}
   *     waiting has its partitions paused
   * @param unpublished chunks finished and not yet stored
   */
  public record Limits(PriorityChunkQueue queue, int maxBufferedChunks, IntSupplier unpublished, Duration commitInterval) {}

  private final Consumer<byte[], byte[]> consumer;
  private final Map<String, Priority> priorityOfTopic = new HashMap<>();
  private final RecordDispatch dispatch;
  private final OffsetCommits offsets;
  private final Backpressure backpressure;
  private final ConsumerLag lag;
  private volatile boolean running = true;
  private volatile boolean halted;
  /** Partitions held since the last rebalance; -1 while the consumer is not a member of its group. */
  private volatile int membership = -1;

  /** @param outcomes the same one the publisher reports to */
  public ChunkConsumer(Consumer<byte[], byte[]> consumer, Topics topics, RecordDispatch dispatch, ChunkOutcomes outcomes,
      Limits limits) {
    this.consumer = consumer;
    for (Priority p : Priority.values()) {
      priorityOfTopic.put(topics.requests(p).name(), p);
    }
    this.dispatch = dispatch;
    this.lag = new ConsumerLag(priorityOfTopic);
    this.offsets = new OffsetCommits(consumer, outcomes, limits.queue(), limits.commitInterval());
    this.backpressure = new Backpressure(consumer, priorityOfTopic, limits.queue(), limits.maxBufferedChunks(),
        limits.unpublished());
    limits.queue().onTaken(backpressure::roomFreed);
    outcomes.onPublished(backpressure::roomFreed);
  }

  /** Partitions paused for backpressure when the loop last looked. */
  public int pausedPartitions() {
    return backpressure.pausedPartitions();
  }

  /**
   * Partitions this worker holds, or -1 while it is not a member of its group (not yet joined, its
   * partitions lost, or stopped). A member may hold none: more workers than partitions.
   */
  public int partitionsHeld() {
    return membership;
  }

  /** Records of the priority's request topic still to read on this worker's partitions (sampled each second). */
  public long lag(Priority priority) {
    return lag.of(priority);
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
            ChunkRef ref = new ChunkRef(new TopicPartition(record.topic(), record.partition()), record.offset());
            offsets.started(ref);
            dispatch.accept(record, ref, priorityOfTopic.get(record.topic()));
          }
          offsets.afterPoll();
          backpressure.apply();
          lag.sample(consumer);
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
      membership = -1;
      consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(5));
    }
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
      // Called after every rebalance, even one that brought nothing: from here on it is a member.
      membership = consumer.assignment().size();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      offsets.forget(lost);
      membership = -1;
    }
  }
}
