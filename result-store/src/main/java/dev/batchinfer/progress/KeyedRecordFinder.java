package dev.batchinfer.progress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Answers "is there a committed record with this key, produced at or after this time?" for a record that, if it
 * was ever written, was written before now. The key names its partition (the producers' default partitioner);
 * the search reads that partition from the first offset stamped at or after the time up to its high watermark
 * as of the question, read_committed, so an aborted or never-committed record is not found. Until every
 * transaction open below that watermark is resolved, the answer is "not yet" (empty): a record of a transaction
 * still open might yet commit.
 */
public final class KeyedRecordFinder implements AutoCloseable {

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration budget;

  /** @param budget the longest one search reads before it answers "not yet" */
  public KeyedRecordFinder(String bootstrapServers, Duration budget) {
    this.budget = budget;
    // Every call bounded: a broker that does not answer fails this search, and the sweeper asks again later.
    int timeoutMs = (int) Math.max(5000, budget.toMillis());
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs));
    this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * @return true if found, false if certainly not there, empty if it cannot be told yet
   * @throws ProgressException.Retriable if Kafka cannot be asked (the caller asks again later)
   */
  public Optional<Boolean> find(String topic, String key, long fromMs) {
    return find(topic, key, fromMs, value -> true);
  }

  /** As {@link #find(String, String, long)}, for a record with that key whose value passes {@code value}. */
  public Optional<Boolean> find(String topic, String key, long fromMs, java.util.function.Predicate<byte[]> value) {
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    int partitions = consumer.partitionsFor(topic).size();
    TopicPartition tp = new TopicPartition(topic, Utils.toPositive(Utils.murmur2(keyBytes)) % partitions);
    ListOffsetsOptions uncommitted = new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED);
    long end = offset(admin.listOffsets(Map.of(tp, OffsetSpec.latest()), uncommitted).partitionResult(tp));
    // The earliest offset stamped at or after fromMs below the watermark; none: the record is not there.
    long start = offset(admin.listOffsets(Map.of(tp, OffsetSpec.forTimestamp(fromMs)), uncommitted).partitionResult(tp));
    if (start < 0 || start >= end) {
      return Optional.of(false);
    }
    consumer.assign(List.of(tp));
    consumer.seek(tp, start);
    long deadline = System.nanoTime() + budget.toNanos();
    try {
      while (consumer.position(tp) < end) {
        if (System.nanoTime() > deadline) {
          return Optional.empty(); // a transaction below the watermark is still open
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
          if (r.offset() < end && Arrays.equals(keyBytes, r.key()) && value.test(r.value())) {
            return Optional.of(true);
          }
        }
      }
      return Optional.of(false);
    } finally {
      consumer.unsubscribe();
    }
  }

  private static long offset(org.apache.kafka.common.KafkaFuture<org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> f) {
    try {
      return f.get().offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProgressException.Retriable("interrupted while asking Kafka for offsets", e);
    } catch (ExecutionException e) {
      throw new ProgressException.Retriable("Kafka did not answer for offsets: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
