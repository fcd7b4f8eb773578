package dev.batchinfer.worker.consume;

import dev.batchinfer.topics.message.Priority;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records of each request topic this worker's partitions still have to read, sampled on
 * the consumer's own thread (a Kafka consumer may be asked only there) about once a second, from
 * the positions and end offsets the consumer already knows: no extra request to the broker.
 */
final class ConsumerLag {

  private static final long EVERY_NANOS = 1_000_000_000L;

  private final Map<String, Priority> priorityOfTopic;
  private volatile Map<Priority, Long> lag = new EnumMap<>(Priority.class);
  private long sampledAt = System.nanoTime() - EVERY_NANOS;

  ConsumerLag(Map<String, Priority> priorityOfTopic) {
    this.priorityOfTopic = priorityOfTopic;
  }

  /** On the consumer's thread, after a poll. */
  void sample(Consumer<?, ?> consumer) {
    long now = System.nanoTime();
    if (now - sampledAt < EVERY_NANOS) {
      return;
    }
    sampledAt = now;
    Map<Priority, Long> next = new EnumMap<>(Priority.class);
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong behind = consumer.currentLag(tp);
      Priority p = priorityOfTopic.get(tp.topic());
      if (p != null && behind.isPresent()) {
        next.merge(p, behind.getAsLong(), Long::sum);
      }
    }
    lag = next;
  }

  long of(Priority priority) {
    return lag.getOrDefault(priority, 0L);
  }
}
