package dev.batchinfer.worker.consume;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed. Chunks of one partition can finish out of order (several
 * inference threads, priorities); an offset is committable only when it and every offset before it
 * is done, so a crash never skips an unfinished chunk. Used by the consumer thread only.
 */
public final class OffsetTracker {

  private final Map<TopicPartition, TreeMap<Long, Boolean>> inFlight = new HashMap<>();
  private final Map<TopicPartition, Long> committable = new HashMap<>();

  public void started(TopicPartition tp, long offset) {
    inFlight.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, false);
  }

  /** Marks an offset done; ignored if the partition was revoked meanwhile. */
  public void done(TopicPartition tp, long offset) {
    TreeMap<Long, Boolean> offsets = inFlight.get(tp);
    if (offsets == null || !offsets.containsKey(offset)) {
      return;
    }
    offsets.put(offset, true);
    while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
      committable.put(tp, offsets.pollFirstEntry().getKey() + 1);
    }
  }

  /** Offsets to commit now (next offset to read per partition); cleared once returned. */
  public Map<TopicPartition, OffsetAndMetadata> drainCommittable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    committable.forEach((tp, next) -> out.put(tp, new OffsetAndMetadata(next)));
    committable.clear();
    return out;
  }

  /** Puts back offsets whose commit failed, unless a later one is ready or the partition is gone. */
  public void restore(Map<TopicPartition, OffsetAndMetadata> failed) {
    failed.forEach((tp, next) -> {
      if (inFlight.containsKey(tp)) {
        committable.merge(tp, next.offset(), Math::max);
      }
    });
  }

  /** Forgets {@code offset} and everything after it in the partition: they will be read again. */
  public void forgetFrom(TopicPartition tp, long offset) {
    TreeMap<Long, Boolean> offsets = inFlight.get(tp);
    if (offsets != null) {
      offsets.tailMap(offset, true).clear();
    }
  }

  /** Forgets a partition this consumer no longer owns. */
  public void forget(TopicPartition tp) {
    inFlight.remove(tp);
    committable.remove(tp);
  }

  public int inFlightCount() {
    return inFlight.values().stream().mapToInt(TreeMap::size).sum();
  }
}
