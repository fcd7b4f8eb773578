package dev.batchinfer.progress;

import dev.batchinfer.topics.message.BatchStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code batchinfer_progress_batches{status}}: the batches this instance's partitions hold, by
 * status, counted from the topology's own store (so exact, and summed over instances by
 * Prometheus). A count walks the local store, so it is taken at most once per {@link #MAX_AGE_MS}
 * and kept while the store is not queryable (a rebalance).
 */
final class BatchStateGauges {

  static final long MAX_AGE_MS = 5_000;

  private final KafkaStreams streams;
  private Map<BatchStatus, Long> counts = new EnumMap<>(BatchStatus.class);
  private long countedAtMs;

  BatchStateGauges(KafkaStreams streams, MeterRegistry registry) {
    this.streams = streams;
    for (BatchStatus s : BatchStatus.values()) {
      Gauge.builder("batchinfer.progress.batches", this, g -> g.count(s))
          .description("batches held by this instance's progress partitions, by status")
          .tag("status", s.wire()).register(registry);
    }
  }

  private synchronized double count(BatchStatus status) {
    long now = System.currentTimeMillis();
    if (now - countedAtMs >= MAX_AGE_MS) {
      recount();
      countedAtMs = now;
    }
    return counts.getOrDefault(status, 0L);
  }

  private void recount() {
    if (streams.state() != KafkaStreams.State.RUNNING) {
      return;
    }
    try {
      ReadOnlyKeyValueStore<String, BatchProgress> store = streams.store(StoreQueryParameters.fromNameAndType(
          ProgressTopology.STORE, QueryableStoreTypes.keyValueStore()));
      Map<BatchStatus, Long> next = new EnumMap<>(BatchStatus.class);
      try (KeyValueIterator<String, BatchProgress> all = store.all()) {
        all.forEachRemaining(kv -> next.merge(kv.value.status(), 1L, Long::sum));
      }
      counts = next;
    } catch (InvalidStateStoreException rebalancing) {
      // keep the last counts until the store is queryable again
    }
  }
}
