package dev.batchinfer.api.submit;

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

  /** Kafka producers connected to these brokers. */
  static ProducerFactory kafka(String bootstrapServers) {
    return config -> {
      Map<String, Object> c = new HashMap<>(config);
      c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      return new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
    };
  }
}
