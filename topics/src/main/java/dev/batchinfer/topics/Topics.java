package dev.batchinfer.topics;

import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.message.WebhookDeadLetter;
import dev.batchinfer.topics.serde.ChunkSerde;
import dev.batchinfer.topics.serde.JsonSerde;
import dev.batchinfer.topics.serde.ProgressEventSerde;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The catalogue of every topic. No topic name is written anywhere else.
 *
 * <p>A catalogue has a name prefix so that tests, or several deployments sharing one cluster, never
 * see each other's records; production uses {@link #DEFAULT} (no prefix).
 */
public final class Topics {

  /** The longest {@code completion_window} a batch may ask for (the API refuses more). */
  public static final Duration MAX_COMPLETION_WINDOW = Duration.ofDays(30);

  /**
   * How long request topics keep a chunk: the longest completion window plus a day. A chunk is
   * produced when its batch is accepted, and a worker must still find it at the window's last
   * moment, however long the backlog; the day covers clock skew between hosts and an open
   * transaction. After the window the batch has expired and its chunks are skipped, so longer would
   * only hold inputs nobody reads. Kafka deletes whole segments, so a chunk can stay longer, never less.
   */
  public static final Duration REQUEST_RETENTION = MAX_COMPLETION_WINDOW.plus(Duration.ofDays(1));

  private static final String RETAIN_7_DAYS = Long.toString(Duration.ofDays(7).toMillis());
  // Requests carry the inputs: the queue must hold a backlog, but not forever; and never by size, which
  // (a broker's log.retention.bytes, say) would delete accepted work unread.
  private static final Map<String, String> REQUEST_CONFIGS =
      Map.of(
          TopicConfig.RETENTION_MS_CONFIG, Long.toString(REQUEST_RETENTION.toMillis()),
          TopicConfig.RETENTION_BYTES_CONFIG, "-1",
          TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024),
          TopicConfig.COMPRESSION_TYPE_CONFIG, "producer");

  /**
   * Partitions of each request topic unless REQUEST_TOPIC_PARTITIONS says otherwise: a partition is read by one
   * worker of the group at a time, so this caps the workers that have work (more stand by).
   */
  public static final int DEFAULT_REQUEST_PARTITIONS = 6;

  /** Declared after the constants it uses: static fields initialise in order. */
  public static final Topics DEFAULT = new Topics("", DEFAULT_REQUEST_PARTITIONS);

  private final String prefix;
  private final int requestPartitions;
  private final Map<Priority, Topic<String, InferenceChunk>> requests = new EnumMap<>(Priority.class);
  private final Topic<String, ProgressEvent> progress;
  private final Topic<String, BatchEvent> batchEvents;
  private final Topic<byte[], byte[]> requestsDeadLetter;
  private final Topic<String, WebhookDeadLetter> webhooksDeadLetter;

  private Topics(String prefix, int requestPartitions) {
    this.prefix = prefix;
    this.requestPartitions = requestPartitions;
    for (Priority p : Priority.values()) {
      requests.put(
          p,
          new Topic<>(
              prefix + "inference.requests." + p.wire(),
              requestPartitions,
              REQUEST_CONFIGS,
              Serdes.String(),
              new ChunkSerde()));
    }
    progress =
        new Topic<>(
            prefix + "inference.progress",
            6,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, RETAIN_7_DAYS),
            Serdes.String(),
            new ProgressEventSerde());
    batchEvents =
        new Topic<>(
            prefix + "batch.events",
            3,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, RETAIN_7_DAYS),
            Serdes.String(),
            new JsonSerde<>(BatchEvent.class));
    requestsDeadLetter =
        new Topic<>(
            prefix + "inference.requests.dlq",
            1,
            Map.of(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
                // Holds whole request records plus headers.
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(5 * 1024 * 1024)),
            Serdes.ByteArray(),
            Serdes.ByteArray());
    webhooksDeadLetter = webhookDeadLetterTopic(prefix);
  }

  /** Declared in the constructor's order of use. */
  private Topic<String, WebhookDeadLetter> webhookDeadLetterTopic(String prefix) {
    return new Topic<>(
        prefix + "webhooks.dlq",
        1,
        Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis())),
        Serdes.String(),
        new JsonSerde<>(WebhookDeadLetter.class));
  }

  /** A catalogue whose every topic name starts with {@code prefix}. */
  public static Topics withPrefix(String prefix) {
    return prefix == null || prefix.isEmpty() ? DEFAULT : new Topics(prefix, DEFAULT_REQUEST_PARTITIONS);
  }

  /**
   * The same catalogue with {@code partitions} per request topic: what topic creation uses. Producers and
   * consumers read a topic's partitions from the cluster, so only the creator needs to know.
   */
  public Topics withRequestPartitions(int partitions) {
    return partitions == requestPartitions ? this : new Topics(prefix, partitions);
  }

  public String prefix() {
    return prefix;
  }

  /** Chunks of batch inputs, one topic per priority so workers can prefer the urgent ones. */
  public Topic<String, InferenceChunk> requests(Priority priority) {
    return requests.get(priority);
  }

  /** One event per chunk a worker has finished (results already in Redis). Keyed by batch id. */
  public Topic<String, ProgressEvent> progress() {
    return progress;
  }

  /** Batch state changes worth telling the outside world about (completion). Keyed by batch id. */
  public Topic<String, BatchEvent> batchEvents() {
    return batchEvents;
  }

  /** Request records no worker could decode, with the reason in headers. */
  public Topic<byte[], byte[]> requestsDeadLetter() {
    return requestsDeadLetter;
  }

  /** Webhooks given up after their last attempt, keyed by batch id. */
  public Topic<String, WebhookDeadLetter> webhooksDeadLetter() {
    return webhooksDeadLetter;
  }

  public List<Topic<?, ?>> all() {
    return List.of(
        requests(Priority.HIGH),
        requests(Priority.NORMAL),
        requests(Priority.LOW),
        progress,
        batchEvents,
        requestsDeadLetter,
        webhooksDeadLetter);
  }
}
