package dev.batchinfer.progress;

import io.micrometer.core.instrument.MeterRegistry;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.serde.JsonSerde;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/** progress topic → exact per-batch progress (state store) → Redis status + batch events. */
public final class ProgressTopology {

  public static final String STORE = "batch-progress";

  private ProgressTopology() {}

  public static Topology build(Topics topics, Consumer<ProgressUpdate> statusSink, MeterRegistry registry) {
    ProgressMetrics metrics = new ProgressMetrics(registry);
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(STORE), Serdes.String(), new JsonSerde<>(BatchProgress.class)));
    Topic<String, ProgressEvent> progress = topics.progress();
    Topic<String, BatchEvent> events = topics.batchEvents();
    builder.stream(progress.name(), Consumed.with(progress.keySerde(), progress.valueSerde()))
        .process(() -> new ProgressProcessor(STORE, statusSink, metrics), STORE)
        .to(events.name(), Produced.with(events.keySerde(), events.valueSerde()));
    return builder.build();
  }
}
