package dev.batchinfer.worker.consume;

import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps fetching from running ahead of the model. A priority whose queue is full has its partitions
 * paused, so high-priority records keep flowing while low ones back up. Every partition is paused
 * while too many finished chunks wait to be stored (they hold their payload and results, and when
 * Redis or Kafka is slow or down they would pile up in memory), and once the worker drains to stop.
 * Decides on the consumer's thread; {@link #roomFreed}, {@link #drain} and {@link #wake} come from
 * any thread.
 */
final class Backpressure {

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration PAUSED_POLL = Duration.ofMillis(5);

  private final Consumer<byte[], byte[]> consumer;
  private final Map<String, Priority> priorityOfTopic;
  private final PriorityChunkQueue queue;
  private final int maxBufferedChunks;
  private final IntSupplier unpublished;
  private final int maxUnpublished;
  private volatile Thread loopThread;
  /** Every assigned partition is paused; written by the loop only. */
  private volatile boolean starved;
  private boolean somePaused;
  /** For the metrics, read from any thread: the consumer itself may be asked only on its loop. */
  private volatile int pausedCount;
  private volatile boolean draining;

  /** @param unpublished chunks finished and not yet stored; at 4 × maxBufferedChunks fetching stops */
  Backpressure(Consumer<byte[], byte[]> consumer, Map<String, Priority> priorityOfTopic, PriorityChunkQueue queue,
      int maxBufferedChunks, IntSupplier unpublished) {
    this.consumer = consumer;
    this.priorityOfTopic = priorityOfTopic;
    this.queue = queue;
    this.maxBufferedChunks = maxBufferedChunks;
    this.unpublished = unpublished;
    this.maxUnpublished = 4 * maxBufferedChunks;
  }

  int pausedPartitions() {
    return pausedCount;
  }

  /** The thread that polls: the one to wake when there is room again. */
  void loopRunsOn(Thread t) {
    loopThread = t;
  }

  /** A chunk left the queue or was published: a loop held back by backpressure may go on. */
  void roomFreed() {
    if (starved) {
      wake();
    }
  }

  /** Stops fetching for good (every partition paused), while the loop goes on committing. */
  void drain() {
    draining = true;
    wake();
  }

  void wake() {
    Thread t = loopThread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /**
   * How long the next poll may block. With every partition paused no record can arrive, and a
   * blocking poll would sit out its whole timeout while the inference threads empty the queue (a
   * fast model drains it in a few milliseconds, then idled for up to 100): so the loop waits for
   * room instead, woken as soon as a chunk leaves the queue or is published. With some paused, it
   * polls briefly, so the paused ones are resumed soon after they have room.
   */
  Duration pollTimeout() {
    if (starved) {
      LockSupport.parkNanos(POLL.toNanos());
      apply();
    }
    return starved ? Duration.ZERO : somePaused ? PAUSED_POLL : POLL;
  }

  /** Pauses and resumes partitions for what the worker holds now. */
  void apply() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (draining || unpublished.getAsInt() >= maxUnpublished) {
      consumer.pause(assigned);
    } else {
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
    Set<TopicPartition> paused = consumer.paused();
    somePaused = !paused.isEmpty();
    pausedCount = paused.size();
    starved = !assigned.isEmpty() && paused.containsAll(assigned);
  }
}
