package dev.batchinfer.worker.consume;

import dev.batchinfer.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends records no worker can decode to the dead-letter topic, with why and where in headers. */
public final class DeadLetters {

  public static final String REASON = "dlq.reason";
  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";
  public static final String WORKER = "dlq.worker";

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String workerId;
  private final Consumer<Kind> sent;

  /** Why a record is parked, in a word: the metrics' label (the header has the whole reason). */
  public enum Kind {
    UNDECODABLE("undecodable"), WORKER_ERROR("worker_error");

    public final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  public DeadLetters(Producer<byte[], byte[]> producer, Topics topics, String workerId) {
    this(producer, topics, workerId, kind -> { });
  }

  /** @param sent told of each record sent (whether or not the send then succeeds) */
  public DeadLetters(Producer<byte[], byte[]> producer, Topics topics, String workerId, Consumer<Kind> sent) {
    this.producer = producer;
    this.topic = topics.requestsDeadLetter().name();
    this.workerId = workerId;
    this.sent = sent;
  }

  public void send(ConsumerRecord<byte[], byte[]> record, Kind kind, String reason, Callback whenStored) {
    sent.accept(kind);
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, record.key(), record.value());
    out.headers()
        .add(REASON, utf8(reason))
        .add(SOURCE_TOPIC, utf8(record.topic()))
        .add(SOURCE_PARTITION, utf8(Integer.toString(record.partition())))
        .add(SOURCE_OFFSET, utf8(Long.toString(record.offset())))
        .add(WORKER, utf8(workerId));
    producer.send(out, whenStored);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
