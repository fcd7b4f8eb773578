package dev.batchinfer.api.submit;

import dev.batchinfer.observability.Metrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Makes the producers a {@link ChunkPublisher} uses, from the configuration it chose for each
 * (transactional or not, its buffer, its timeouts). Real ones in the API; MockProducers in unit tests.
 */
@FunctionalInterface
public interface ProducerFactory {

  Producer<String, byte[]> create(Map<String, Object> config);

  /**
   * Kafka producers connected to these brokers, each with Kafka's client metrics in {@code metrics}. A producer
   * the pool replaces (a transaction that timed out) keeps its last readings until the process ends: rare enough
   * not to track.
   */
  static ProducerFactory kafka(String bootstrapServers, Metrics metrics) {
    return config -> {
      Map<String, Object> c = new HashMap<>(config);
      c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      Producer<String, byte[]> producer = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
      metrics.bind(producer);
      return producer;
    };
  }
}
