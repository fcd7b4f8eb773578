package dev.batchinfer.api.submit;

import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import dev.batchinfer.observability.KafkaContext;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Puts all chunks of a batch on Kafka in one transaction ({@link ChunkTransaction}): either every chunk
 * becomes visible to workers or none does. A pool of transactional producers ({@link TransactionalPool})
 * serves concurrent submits.
 *
 * <p>A batch of one chunk needs no transaction: one record is written whole or not at all. It goes
 * through one of a few shared idempotent producers, taken in turn ({@link #sendAlone}).
 */
public final class ChunkPublisher implements AutoCloseable {

  // More than one: the broker handles one request per connection at a time, so behind a single
  // producer every submit's record waited for the requests ahead of it, however many handler
  // threads the broker had.
  private static final int SINGLE_PRODUCERS = 4;
  // The broker looks for timed-out transactions every 10 s (transaction.abort.timed.out.transaction.cleanup.interval.ms);
  // the rest is for clock skew between the API and the sweeper.
  private static final Duration SETTLE_MARGIN = Duration.ofSeconds(30);

  private final ProducerFactory factory;
  private final Topics topics;
  private final Duration timeout;
  private final Duration settleTime;
  private final TransactionalPool pool;
  // For batches of one chunk, shared by every submit (a producer is thread-safe), created on first use.
  @SuppressWarnings("unchecked")
  private final Producer<String, byte[]>[] singles = new Producer[SINGLE_PRODUCERS];
  private int nextSingle; // guarded by this, as singleProducer() is
  private boolean closed;

  /**
   * @param pool names this pool's transactional ids ("" for the submit pool, whose ids predate pools)
   * @param serves what the pool's producers send ("submits", "uploads"), named when every producer is busy
   * @param timeout how long a submit waits for a producer, and for each Kafka step
   * @param transactionTimeout the longest a transaction may stay open before the broker aborts it:
   *     short for chunks at hand, a streamed upload's whole duration for uploads (the broker caps it
   *     at transaction.max.timeout.ms)
   */
  public ChunkPublisher(ProducerFactory factory, Topics topics, String instanceId, String pool, int producers,
      String serves, Duration timeout, Duration transactionTimeout) {
    this.factory = factory;
    this.topics = topics;
    this.timeout = timeout;
    this.settleTime = max(transactionTimeout, Duration.ofMillis(Math.max(2000, timeout.toMillis()))).plus(SETTLE_MARGIN);
    String idPrefix = topics.prefix() + "producer-api-" + instanceId + "-" + (pool.isEmpty() ? "" : pool + "-");
    this.pool = new TransactionalPool(factory, idPrefix, producers, serves, timeout, transactionTimeout);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * How long after a batch is recorded its chunks may still become visible in Kafka: the transaction timeout (after
   * it the broker aborts) or the delivery timeout of a record sent alone, and a margin. The ghost sweeper decides
   * about a pending batch only after this.
   */
  public Duration settleTime() {
    return settleTime;
  }

  /**
   * Sends a batch that is one chunk and waits until it is durable (acks=all). A single record
   * becomes visible whole or not at all, so it skips the transaction and its three round trips to
   * the coordinator and the commit marker: for a small batch those cost the API and the broker more
   * than the record itself.
   *
   * @throws PublishException if it was not acknowledged within the timeout. As with a commit that
   *     timed out (see {@link TransactionalPool#discard}), the record may still have been written.
   */
  public void sendAlone(String batchId, ChunkHeader header, Chunker.ChunkItems chunk) {
    if (header.chunkCount() != 1) {
      throw new IllegalArgumentException("batch " + batchId + " has " + header.chunkCount() + " chunks, not one");
    }
    try {
      Producer<String, byte[]> producer = singleProducer();
      producer.send(chunkRecord(topics, header, chunk, producer)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("batch " + batchId + ": interrupted while sending its chunk", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // The producer itself stays: an idempotent producer outlives timeouts and broker restarts, and
      // closing it would fail every other submit's record in flight.
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new PublishException("batch " + batchId + ": chunk not acknowledged by Kafka: " + cause, cause);
    }
  }

  /**
   * The chunk's record, on the partition {@link #partitionOf} gives among those {@code producer} knows the topic
   * to have (by its key's hash if it knows none yet).
   */
  static ProducerRecord<String, byte[]> chunkRecord(Topics topics, ChunkHeader h, Chunker.ChunkItems c,
      Producer<String, byte[]> producer) {
    byte[] value = ChunkCodec.encode(h, c.indexes(), c.offsets(), c.payloads(), c.customIds(), c.parentIndexes());
    String topic = topics.requests(h.priority()).name();
    int partitions = producer.partitionsFor(topic).size();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic,
        partitions == 0 ? null : partitionOf(h.batchId(), h.chunkIndex(), partitions), h.batchId() + ":" + h.chunkIndex(), value);
    // On the request's thread: its trace, tenant and request id go with the chunk to the worker.
    KafkaContext.inject(record.headers());
    return record;
  }

  /**
   * Chunk after chunk round the partitions from a place the batch id picks: a batch's chunks spread evenly (the
   * counts differ by one at most), so the workers reading them finish together, where hashing each chunk's key
   * would leave some partitions a tenth fuller than others (a batch of 512 chunks on four partitions, say) and
   * every worker but one waiting for the fullest at the end.
   */
  static int partitionOf(String batchId, int chunkIndex, int partitions) {
    return Math.floorMod(batchId.hashCode() + chunkIndex, partitions);
  }

  private synchronized Producer<String, byte[]> singleProducer() {
    if (closed) {
      throw new PublishException("the API is shutting down", null);
    }
    int i = nextSingle;
    nextSingle = (nextSingle + 1) % SINGLE_PRODUCERS;
    if (singles[i] == null) {
      singles[i] = factory.create(ProducerConfigs.idempotent(timeout));
    }
    return singles[i];
  }

  /**
   * Opens a transaction for one batch's chunks.
   *
   * @param template the header every chunk shares (its chunk index is set per chunk); chunk count
   *     and total may be {@link ChunkHeader#UNKNOWN} for a streamed upload
   * @throws PublishException if no producer became free within the timeout
   */
  public ChunkTransaction begin(String batchId, ChunkHeader template) {
    return begin(batchId, template, 0);
  }

  /** A transaction whose chunks are numbered from {@code firstChunk} (an open batch's append). */
  public ChunkTransaction begin(String batchId, ChunkHeader template, int firstChunk) {
    return new ChunkTransaction(pool, pool.borrow(), topics, batchId, template, firstChunk);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (Producer<String, byte[]> single : singles) {
        if (single != null) {
          single.close(Duration.ofSeconds(5));
        }
      }
    }
    pool.close();
  }
}
