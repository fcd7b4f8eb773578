package dev.batchinfer.worker.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Hands a chunk this worker cannot serve (its pinned model version is not loaded here) back to the
 * topic, on a random partition, so that a worker that has the version takes it. Each hand-back
 * waits a little longer (100 ms doubling to 5 s), so a version no worker has costs almost nothing
 * while it waits for one; a chunk older than {@code maxAge} is answered with errors instead.
 */
public final class Requeue implements AutoCloseable {

  public static final String HOPS = "requeue.hops";
  private static final long FIRST_DELAY_MS = 100;
  private static final long MAX_DELAY_MS = 5_000;

  private final Producer<byte[], byte[]> producer;
  private final long maxAgeMs;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "requeue"));

  public Requeue(Producer<byte[], byte[]> producer, Duration maxAge) {
    this.producer = producer;
    this.maxAgeMs = maxAge.toMillis();
  }

  /** Whether a chunk created at {@code createdAtMs} may still wander to another worker. */
  public boolean mayWander(long createdAtMs, long nowMs) {
    return nowMs - createdAtMs < maxAgeMs;
  }

  public static int hops(ConsumerRecord<byte[], byte[]> record) {
    Header h = record.headers().lastHeader(HOPS);
    return h == null ? 0 : Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8));
  }

  public void send(ConsumerRecord<byte[], byte[]> record, Callback whenStored) {
    int hops = hops(record);
    long delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(hops, 16));
    timer.schedule(() -> {
      try {
        // The topic's own partition count (REQUEST_TOPIC_PARTITIONS when it was made): the producer knows it.
        int partition = ThreadLocalRandom.current().nextInt(producer.partitionsFor(record.topic()).size());
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(record.topic(), partition, record.key(), record.value());
        out.headers().add(HOPS, Integer.toString(hops + 1).getBytes(StandardCharsets.UTF_8));
        producer.send(out, whenStored);
      } catch (RuntimeException noMetadata) {
        whenStored.onCompletion(null, noMetadata); // not handed back: the record is read again
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow(); // unsent hand-backs stay uncommitted: the records are read again
  }
}
