package dev.batchinfer.worker.consume;

import dev.batchinfer.worker.batch.ChunkRef;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's place in each partition: which records are in work, which are done (committed once
 * every record before them is, see {@link OffsetTracker}), and which must be read again (the
 * consumer seeks back to them and forgets what it read after). Used on the consumer's thread only.
 */
final class OffsetCommits {

  private static final Logger log = LoggerFactory.getLogger(OffsetCommits.class);

  private final Consumer<byte[], byte[]> consumer;
  private final ChunkOutcomes outcomes;
  private final PriorityChunkQueue queue;
  private final long intervalNanos;
  private final OffsetTracker offsets = new OffsetTracker();
  private long lastCommitNanos = System.nanoTime();

  OffsetCommits(Consumer<byte[], byte[]> consumer, ChunkOutcomes outcomes, PriorityChunkQueue queue,
      Duration commitInterval) {
    this.consumer = consumer;
    this.outcomes = outcomes;
    this.queue = queue;
    this.intervalNanos = commitInterval.toNanos();
  }

  void started(ChunkRef ref) {
    offsets.started(ref.partition(), ref.offset());
  }

  /** After each poll: takes in what finished and what must be read again, and commits when due. */
  void afterPoll() {
    markFinished();
    applyRewinds();
    if (System.nanoTime() - lastCommitNanos >= intervalNanos) {
      commit(false);
    }
  }

  /** Commits what is finished now and waits for it: before partitions are given up, and at the end. */
  void commitFinished() {
    markFinished();
    commit(true);
  }

  /** Forgets partitions this consumer no longer owns, with their waiting chunks: the new owner reads them. */
  void forget(Collection<TopicPartition> parts) {
    if (parts.isEmpty()) {
      return;
    }
    Set<TopicPartition> gone = Set.copyOf(parts);
    gone.forEach(offsets::forget);
    int dropped = queue.removeIf(c -> c.origin() instanceof ChunkRef r && gone.contains(r.partition()));
    log.info("gave up {} partitions; dropped {} waiting chunks (the new owner reads them)", gone.size(), dropped);
  }

  private void markFinished() {
    ChunkRef ref;
    while ((ref = outcomes.nextDone()) != null) {
      offsets.done(ref.partition(), ref.offset());
    }
  }

  /** Reads records again from an offset whose handling failed (seeking is for this thread only). */
  private void applyRewinds() {
    ChunkRef ref;
    while ((ref = outcomes.nextReadAgain()) != null) {
      TopicPartition tp = ref.partition();
      if (!consumer.assignment().contains(tp)) {
        continue; // the new owner reads it anyway
      }
      long from = ref.offset();
      offsets.forgetFrom(tp, from);
      queue.removeIf(c -> c.origin() instanceof ChunkRef r && r.partition().equals(tp) && r.offset() >= from);
      consumer.seek(tp, from);
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
            log.warn("offset commit failed; retrying with the next commit: {}", e.toString());
            offsets.restore(ready); // runs on this thread, inside poll or commitSync
          }
        });
      }
    } catch (WakeupException e) {
      offsets.restore(ready);
      throw e;
    } catch (RuntimeException e) {
      log.warn("offset commit failed; retrying with the next commit: {}", e.toString());
      offsets.restore(ready);
    }
  }
}
