package dev.batchinfer.worker;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The worker's Kafka clients, tuned for chunk records. */
final class KafkaClients {

  private KafkaClients() {}

  static KafkaConsumer<byte[], byte[]> consumer(WorkerSettings s) {
    return new KafkaConsumer<>(consumerConfig(s), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static KafkaProducer<byte[], byte[]> producer(WorkerSettings s) {
    return new KafkaProducer<>(producerConfig(s), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static Properties consumerConfig(WorkerSettings s) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.common().kafkaBootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, s.consumerGroup());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, s.workerId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Only chunks of batches the API committed in full; an aborted submit is never seen.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, s.consuming().maxBufferedChunks()));
    // A chunk record is up to 1 MB (CHUNK_MAX_BYTES): with the default 1 MB per partition a fetch
    // brings one chunk per partition, and a fast model waits on fetch round trips. The total per
    // fetch stays at 8 MB (the default is 50): what is fetched ahead sits in the heap, and the
    // worker's RSS has a 1 GB budget.
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) s.consuming().fetchMaxWait().toMillis());
    p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1); // the OS's autotuned size, not a fixed 64 KB
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    return p;
  }

  private static Properties producerConfig(WorkerSettings s) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.common().kafkaBootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // Dead letters carry whole chunk records (up to the request topics' 4 MB).
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 5 * 1024 * 1024);
    return p;
  }
}
