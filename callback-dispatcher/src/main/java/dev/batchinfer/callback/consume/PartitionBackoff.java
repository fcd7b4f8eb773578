package dev.batchinfer.callback.consume;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Partitions paused after a failure and when each may be read again. Paused rather than slept on,
 * so the consumer keeps polling (and stays in its group) and the other partitions keep flowing.
 * Only the consumer's thread uses it.
 */
final class PartitionBackoff {

  private final Duration wait;
  private final Map<TopicPartition, Long> resumeAtNanos = new HashMap<>();

  PartitionBackoff(Duration wait) {
    this.wait = wait;
  }

  void pause(Consumer<?, ?> consumer, TopicPartition tp) {
    consumer.pause(Set.of(tp));
    resumeAtNanos.put(tp, System.nanoTime() + wait.toNanos());
  }

  /** Resumes the partitions whose wait is over and that this consumer still owns. */
  void resumeDue(Consumer<?, ?> consumer) {
    long now = System.nanoTime();
    Set<TopicPartition> paused = consumer.paused(); // a rebalance drops pauses of partitions it moves
    for (Iterator<Map.Entry<TopicPartition, Long>> it = resumeAtNanos.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<TopicPartition, Long> e = it.next();
      if (now - e.getValue() >= 0) {
        if (paused.contains(e.getKey())) {
          consumer.resume(Set.of(e.getKey()));
        }
        it.remove();
      }
    }
  }
}
