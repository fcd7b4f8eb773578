package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the progress topology with exactly-once processing. */
public final class ProgressService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProgressService.class);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  // Held: a registry keeps only weak references to a gauge's object.
  private final BatchStateGauges stateGauges;

  public ProgressService(String bootstrapServers, Topics topics, Path stateDir, BatchStores stores, MeterRegistry registry) {
    this(bootstrapServers, topics, stateDir, ProgressSettings.DEFAULT_STANDBY_REPLICAS, stores, registry);
  }

  /** @param standbyReplicas warm copies of each state store kept on other instances (num.standby.replicas) */
  public ProgressService(String bootstrapServers, Topics topics, Path stateDir, int standbyReplicas, BatchStores stores,
      MeterRegistry registry) {
    this.streams = new KafkaStreams(ProgressTopology.build(topics, new StatusProjection(stores), registry),
        streamsConfig(bootstrapServers, topics, stateDir, standbyReplicas));
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    this.stateGauges = new BatchStateGauges(streams, registry);
    streams.setUncaughtExceptionHandler(e -> {
      log.error("progress topology failed; replacing the stream thread", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  /** The topology's application id: its consumer group, and the first part of its transactional ids and topics. */
  static String applicationId(Topics topics) {
    return topics.prefix() + "result-store-progress";
  }

  static Properties streamsConfig(String bootstrapServers, Topics topics, Path stateDir, int standbyReplicas) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(topics));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // A progress record that does not parse was not written by our workers: log it and move on.
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    // Kafka 5.0's default, set now: the topology has no global state, so nothing changes but the
    // warning Kafka 4 prints at every start while it is unset.
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1); // the broker's default
    return p;
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    streamsMetrics.close();
    streams.close(Duration.ofSeconds(10));
  }
}
