package dev.batchinfer.api.submit;

import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts all chunks of a batch on Kafka in one transaction: either every chunk becomes visible to
 * workers (which read committed records only) or none does. An idempotent producer with acks=all
 * underneath, so an acknowledged chunk is durable and never duplicated by a producer retry.
 *
 * <p>A pool of transactional producers serves concurrent submits, since one producer runs one
 * transaction at a time. Their transactional ids are stable per API instance, so a restarted
 * instance fences and aborts whatever its predecessor left open instead of waiting for a timeout.
 */
public final class ChunkPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChunkPublisher.class);

  private final Topics topics;
  private final Properties baseConfig;
  private final String transactionalIdPrefix;
  private final Duration timeout;
  private final int size;
  private final BlockingQueue<Slot> idle;
  // Ids not held by a live producer; a replacement takes its predecessor's id and so fences it.
  private final BlockingQueue<Integer> freeIds;

  private record Slot(int id, KafkaProducer<String, byte[]> producer) {}

  public ChunkPublisher(String bootstrapServers, Topics topics, String instanceId, int producers, Duration timeout) {
    this.topics = topics;
    this.timeout = timeout;
    this.size = producers;
    this.idle = new ArrayBlockingQueue<>(producers);
    this.freeIds = new ArrayBlockingQueue<>(producers);
    for (int i = 0; i < producers; i++) {
      freeIds.add(i);
    }
    this.transactionalIdPrefix = topics.prefix() + "producer-api-" + instanceId + "-";
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    // Bound every wait by the submit timeout, so an unreachable broker means a fast 503, not a hang.
    long ms = timeout.toMillis();
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, ms / 2));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2000, ms));
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    this.baseConfig = p;
  }

  /**
   * Publishes every chunk in one transaction and returns when it is committed.
   *
   * @throws PublishException if it did not commit within the timeout; nothing is then visible
   */
  public void publish(String batchId, ChunkHeader template, List<Chunker.ChunkItems> chunks) {
    Slot slot = borrow();
    KafkaProducer<String, byte[]> producer = slot.producer();
    boolean healthy = false;
    try {
      Topic<String, InferenceChunk> topic = topics.requests(template.priority());
      producer.beginTransaction();
      List<Future<?>> sends = new ArrayList<>(chunks.size());
      for (int i = 0; i < chunks.size(); i++) {
        Chunker.ChunkItems c = chunks.get(i);
        ChunkHeader h = new ChunkHeader(batchId, i, chunks.size(), template.totalItems(), template.model(),
            template.modelVersion(), template.priority(), template.createdAtMs());
        byte[] value = ChunkCodec.encode(h, c.indexes(), c.offsets(), c.payloads());
        // Keyed by chunk, not batch, so one big batch spreads over every partition and worker.
        sends.add(producer.send(new ProducerRecord<>(topic.name(), batchId + ":" + i, value)));
      }
      producer.commitTransaction();
      for (Future<?> send : sends) {
        send.get(0, TimeUnit.MILLISECONDS); // all completed by the commit; surfaces any error
      }
      healthy = true;
    } catch (Exception e) {
      throw new PublishException("batch " + batchId + ": chunks not committed to Kafka: " + e.getMessage(), e);
    } finally {
      if (healthy) {
        idle.add(slot);
      } else {
        discard(slot);
      }
    }
  }

  private Slot borrow() {
    Slot slot = idle.poll();
    if (slot != null) {
      return slot;
    }
    Integer id = freeIds.poll();
    if (id != null) {
      return newProducer(id);
    }
    try {
      slot = idle.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (slot == null) {
      throw new PublishException("all " + size + " Kafka producers are busy (SUBMIT_PRODUCERS)", null);
    }
    return slot;
  }

  private Slot newProducer(int id) {
    Properties p = new Properties();
    p.putAll(baseConfig);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + id);
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
      return new Slot(id, producer);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      freeIds.add(id);
      throw new PublishException("cannot start a Kafka producer: " + e.getMessage(), e);
    }
  }

  /**
   * A producer whose transaction failed is closed, not reused: after a timeout its state is unknown.
   * Its id goes back to the pool; the next producer with it fences anything left open.
   */
  private void discard(Slot slot) {
    try {
      slot.producer().abortTransaction();
    } catch (RuntimeException e) {
      log.debug("abort after a failed publish also failed: {}", e.toString());
    }
    slot.producer().close(Duration.ZERO);
    freeIds.add(slot.id());
  }

  @Override
  public void close() {
    Slot s;
    while ((s = idle.poll()) != null) {
      s.producer().close(Duration.ofSeconds(5));
    }
  }

  /** Chunks were not committed; nothing of the batch is visible to workers. */
  public static final class PublishException extends RuntimeException {
    PublishException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
