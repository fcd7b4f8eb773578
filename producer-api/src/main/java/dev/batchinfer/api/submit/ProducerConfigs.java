package dev.batchinfer.api.submit;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The configuration of a publisher's producers: idempotent with acks=all, so an acknowledged chunk is
 * durable and never duplicated by a producer retry.
 */
final class ProducerConfigs {

  private ProducerConfigs() {}

  /**
   * For batches of one chunk: one record is all-or-nothing by itself, so it needs no transaction.
   *
   * @param timeout how long a submit waits for each Kafka step
   */
  static Map<String, Object> idempotent(Duration timeout) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    // What one producer holds unsent: a streamed upload waits (bounded memory) when the broker lags.
    // Twice the largest record; with the default pools (16 + 4 producers) at most 160 MB in all,
    // and 32 MB more for the four producers of one-chunk batches.
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L * 1024 * 1024);
    // Bound every wait by the submit timeout, so an unreachable broker means a fast 503, not a hang:
    // a commit may be tried twice, each blocking at most half of it.
    long ms = timeout.toMillis();
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(500, ms / 2));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, ms / 2));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2000, ms));
    return p;
  }

  /**
   * @param transactionTimeout what the broker waits before it aborts a transaction whose producer went
   *     silent; meanwhile read_committed consumers stop at its first record on each partition it wrote to
   */
  static Map<String, Object> transactional(Duration timeout, Duration transactionTimeout, String transactionalId) {
    Map<String, Object> p = idempotent(timeout);
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    return p;
  }
}
