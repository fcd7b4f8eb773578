package dev.batchinfer.api.submit;

import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Puts all chunks of a batch on Kafka in one transaction: either every chunk becomes visible to
 * workers (which read committed records only) or none does. An idempotent producer with acks=all
 * underneath, so an acknowledged chunk is durable and never duplicated by a producer retry.
 *
 * <p>A batch of one chunk needs no transaction: one record is written whole or not at all. It goes
 * through one of a few shared idempotent producers, taken in turn ({@link #sendAlone}).
 *
 * <p>A pool of transactional producers serves concurrent submits, since one producer runs one
 * transaction at a time. Their transactional ids are stable per API instance, so a restarted
 * instance fences and aborts whatever its predecessor left open instead of waiting for a timeout.
 */
public final class ChunkPublisher implements AutoCloseable {

  private final Topics topics;
  private final Properties baseConfig;
  private final String transactionalIdPrefix;
  private final Duration timeout;
  private final Duration settleTime;
  private final int size;
  private final String sizeSetting;
  // One permit per producer: a submit holds one while it borrows, so a free slot or id always exists.
  private final Semaphore permits;
  private final BlockingQueue<Slot> idle;
  // Ids not held by a live producer; a replacement takes its predecessor's id and so fences it.
  private final BlockingQueue<Integer> freeIds;

  private record Slot(int id, KafkaProducer<String, byte[]> producer) {}

  // For batches of one chunk: one record is all-or-nothing by itself, so it needs no transaction.
  // Shared by every submit (a KafkaProducer is thread-safe), taken in turn, created on first use.
  // More than one: the broker handles one request per connection at a time, so behind a single
  // producer every submit's record waited for the requests ahead of it, however many handler
  // threads the broker had.
  @SuppressWarnings("unchecked")
  private final KafkaProducer<String, byte[]>[] singles = new KafkaProducer[SINGLE_PRODUCERS];
  private int nextSingle; // guarded by this, as singleProducer() is
  private boolean closed;
  private static final int SINGLE_PRODUCERS = 4;
  private static final long SINGLE_BUFFER_BYTES = 8L * 1024 * 1024;

  /**
   * @param pool names this pool's transactional ids ("" for the submit pool, whose ids predate pools)
   * @param sizeSetting the setting that sized the pool, named when every producer is busy
   * @param timeout how long a submit waits for a producer, and for each Kafka step
   * @param transactionTimeout the longest a transaction may stay open before the broker aborts it:
   *     short for chunks at hand, a streamed upload's whole duration for uploads (the broker caps it
   *     at transaction.max.timeout.ms)
   */
  public ChunkPublisher(String bootstrapServers, Topics topics, String instanceId, String pool, int producers,
      String sizeSetting, Duration timeout, Duration transactionTimeout) {
    this.topics = topics;
    this.timeout = timeout;
    this.settleTime = max(transactionTimeout, Duration.ofMillis(Math.max(2000, timeout.toMillis()))).plus(SETTLE_MARGIN);
    this.size = producers;
    this.sizeSetting = sizeSetting;
    this.permits = new Semaphore(producers);
    this.idle = new ArrayBlockingQueue<>(producers);
    this.freeIds = new ArrayBlockingQueue<>(producers);
    for (int i = 0; i < producers; i++) {
      freeIds.add(i);
    }
    this.transactionalIdPrefix = topics.prefix() + "producer-api-" + instanceId + "-" + (pool.isEmpty() ? "" : pool + "-");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
    // What the broker waits before it aborts a transaction whose producer went silent; meanwhile
    // read_committed consumers stop at its first record on each partition it wrote to.
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
    this.baseConfig = p;
  }

  // The broker looks for timed-out transactions every 10 s (transaction.abort.timed.out.transaction.cleanup.interval.ms);
  // the rest is for clock skew between the API and the sweeper.
  private static final Duration SETTLE_MARGIN = Duration.ofSeconds(30);

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
   *     timed out (see {@link #discard}), the record may still have been written.
   */
  public void sendAlone(String batchId, ChunkHeader header, Chunker.ChunkItems chunk) {
    if (header.chunkCount() != 1) {
      throw new IllegalArgumentException("batch " + batchId + " has " + header.chunkCount() + " chunks, not one");
    }
    ProducerRecord<String, byte[]> record = chunkRecord(header, chunk);
    try {
      singleProducer().send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("batch " + batchId + ": interrupted while sending its chunk", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      // The producer itself stays: an idempotent producer outlives timeouts and broker restarts, and
      // closing it would fail every other submit's record in flight.
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new PublishException("batch " + batchId + ": chunk not acknowledged by Kafka: " + cause, cause);
    }
  }

  private ProducerRecord<String, byte[]> chunkRecord(ChunkHeader h, Chunker.ChunkItems c) {
    byte[] value = ChunkCodec.encode(h, c.indexes(), c.offsets(), c.payloads(), c.customIds(), c.parentIndexes());
    // Keyed by chunk, not batch, so one big batch spreads over every partition and worker.
    return new ProducerRecord<>(topics.requests(h.priority()).name(), h.batchId() + ":" + h.chunkIndex(), value);
  }

  private synchronized KafkaProducer<String, byte[]> singleProducer() {
    if (closed) {
      throw new PublishException("the API is shutting down", null);
    }
    int i = nextSingle;
    nextSingle = (nextSingle + 1) % SINGLE_PRODUCERS;
    if (singles[i] == null) {
      Properties p = new Properties();
      p.putAll(baseConfig);
      p.remove(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
      // Shared by the one-chunk submits: room for a few chunks in flight at once.
      p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, SINGLE_BUFFER_BYTES);
      singles[i] = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
    return singles[i];
  }

  /**
   * Opens a transaction for one batch's chunks. Nothing is visible to workers until {@link
   * Transaction#commit}; closing it uncommitted aborts, and then nothing of the batch ever is.
   *
   * @param template the header every chunk shares (its chunk index is set per chunk); chunk count
   *     and total may be {@link ChunkHeader#UNKNOWN} for a streamed upload
   * @throws PublishException if no producer became free within the timeout
   */
  public Transaction begin(String batchId, ChunkHeader template) {
    try {
      if (!permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new PublishException("all " + size + " Kafka producers are busy (" + sizeSetting + ")", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted while waiting for a Kafka producer", e);
    }
    try {
      return new Transaction(borrow(), batchId, template);
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /**
   * One batch's chunks in one Kafka transaction, sent as they come. Sends are asynchronous (the
   * producer's buffer bounds what is in flight); the first failure is kept and reported by the next
   * call. Not thread-safe: one submit uses it.
   */
  public final class Transaction implements AutoCloseable {
    /** Where the transaction stands; a broken one's producer is discarded, never reused. */
    private enum State { NOT_BEGUN, OPEN, COMMITTED, BROKEN }

    private final Slot slot;
    private final String batchId;
    private final ChunkHeader template;
    private final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
    private int next;
    private State state = State.NOT_BEGUN;

    private Transaction(Slot slot, String batchId, ChunkHeader template) {
      this.slot = slot;
      this.batchId = batchId;
      this.template = template;
    }

    /** Sends the next chunk (chunk indexes count up from 0). */
    public void send(Chunker.ChunkItems c) {
      check();
      ChunkHeader h = new ChunkHeader(batchId, next, template.chunkCount(), template.totalItems(), template.model(),
          template.modelVersion(), template.priority(), template.createdAtMs(), template.tenant());
      send(chunkRecord(h, c));
      next++;
    }

    /** Sends a progress event inside the transaction (a streamed upload's seal). */
    public void sendProgress(ProgressEvent event) {
      check();
      Topic<String, ProgressEvent> progress = topics.progress();
      send(new ProducerRecord<>(progress.name(), batchId, progress.valueSerde().serializer().serialize(progress.name(), event)));
    }

    private void send(ProducerRecord<String, byte[]> record) {
      try {
        if (state == State.NOT_BEGUN) {
          slot.producer().beginTransaction();
          state = State.OPEN;
        }
        slot.producer().send(record, (meta, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      } catch (RuntimeException e) {
        state = State.BROKEN;
        throw new PublishException("batch " + batchId + ": chunk not sent to Kafka: " + e.getMessage(), e);
      }
    }

    private void check() {
      if (state == State.COMMITTED) {
        throw new IllegalStateException("batch " + batchId + ": transaction already committed");
      }
      Exception e = failure.get();
      if (e != null) {
        state = State.BROKEN;
        throw new PublishException("batch " + batchId + ": chunks not committed to Kafka: " + e.getMessage(), e);
      }
    }

    /**
     * Commits: every chunk sent becomes visible to workers at once.
     *
     * @throws PublishException if it did not commit within the timeout; nothing is then visible
     */
    public void commit() {
      check();
      try {
        if (state == State.NOT_BEGUN) {
          throw new IllegalStateException("batch " + batchId + ": nothing was sent");
        }
        ChunkPublisher.commit(slot.producer());
        check(); // every send completed by the commit; surfaces any error
        state = State.COMMITTED;
      } catch (PublishException e) {
        state = State.BROKEN;
        throw e;
      } catch (RuntimeException e) {
        state = State.BROKEN;
        throw new PublishException("batch " + batchId + ": chunks not committed to Kafka: " + e.getMessage(), e);
      }
    }

    /** Aborts unless committed, and gives the producer back. */
    @Override
    public void close() {
      try {
        if (state == State.OPEN) {
          // The producer is healthy (the client went away, or a line was invalid): abort now, so the
          // partitions' last stable offset moves on at once instead of at the transaction timeout.
          try {
            slot.producer().abortTransaction();
          } catch (RuntimeException e) {
            state = State.BROKEN;
          }
        }
      } finally {
        if (state == State.BROKEN) {
          discard(slot);
        } else {
          idle.add(slot);
        }
        permits.release();
      }
    }
  }

  private Slot borrow() {
    Slot slot = idle.poll();
    return slot != null ? slot : newProducer(freeIds.remove());
  }

  /** A commit that timed out may be retried (Kafka allows it); the second answer is final. */
  private static void commit(KafkaProducer<String, byte[]> producer) {
    try {
      producer.commitTransaction();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      producer.commitTransaction();
    }
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
   * A producer whose transaction failed is closed, not reused: after a timeout its state is unknown,
   * and an abort could block for another full timeout. Its id goes back to the pool; the next
   * producer with that id settles whatever it left open (initTransactions fences and aborts it).
   *
   * <p>Known gap: if the broker had already recorded the commit when our second commit attempt
   * timed out, that commit completes and the chunks run although the client got a 503 and the
   * batch record was removed; their results are unreachable. Idempotency keys will make the
   * client's retry safe.
   */
  private void discard(Slot slot) {
    slot.producer().close(Duration.ZERO);
    freeIds.add(slot.id());
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (KafkaProducer<String, byte[]> single : singles) {
        if (single != null) {
          single.close(Duration.ofSeconds(5));
        }
      }
    }
    Slot s;
    while ((s = idle.poll()) != null) {
      s.producer().close(Duration.ofSeconds(5));
    }
  }
}
