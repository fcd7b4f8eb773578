package dev.batchinfer.topics;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/** One topic of the catalogue: everything a producer, consumer or admin needs to agree on. */
public record Topic<K, V>(
    String name, int partitions, Map<String, String> configs, Serde<K> keySerde, Serde<V> valueSerde) {

  public Topic {
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + " needs at least one partition");
    }
    configs = Map.copyOf(configs);
  }
}
