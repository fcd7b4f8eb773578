package dev.batchinfer.api.submit;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;

/**
 * Transactional producers for concurrent submits, since one producer runs one transaction at a time.
 * Their transactional ids are stable per API instance, so a restarted instance fences and aborts
 * whatever its predecessor left open instead of waiting for a timeout.
 */
final class TransactionalPool implements AutoCloseable {

  /** A live producer and the number of the transactional id it holds. */
  record Slot(int id, Producer<String, byte[]> producer) {}

  private final ProducerFactory factory;
  private final String transactionalIdPrefix;
  private final int size;
  private final String serves;
  private final Duration timeout;
  private final Duration transactionTimeout;
  // One permit per producer: a submit holds one while it borrows, so a free slot or id always exists.
  private final Semaphore permits;
  private final BlockingQueue<Slot> idle;
  // Ids not held by a live producer; a replacement takes its predecessor's id and so fences it.
  private final BlockingQueue<Integer> freeIds;

  /**
   * @param serves what the pool's producers send ("submits", "uploads"), named when every producer is busy
   * @param timeout how long a submit waits for a producer, and for each Kafka step
   */
  TransactionalPool(ProducerFactory factory, String transactionalIdPrefix, int size, String serves,
      Duration timeout, Duration transactionTimeout) {
    this.factory = factory;
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.size = size;
    this.serves = serves;
    this.timeout = timeout;
    this.transactionTimeout = transactionTimeout;
    this.permits = new Semaphore(size);
    this.idle = new ArrayBlockingQueue<>(size);
    this.freeIds = new ArrayBlockingQueue<>(size);
    for (int i = 0; i < size; i++) {
      freeIds.add(i);
    }
  }

  /**
   * An idle producer, or a new one if none is idle; give it back with {@link #giveBack} or {@link #discard}.
   *
   * @throws PublishException if no producer became free within the timeout, or a new one did not start
   */
  Slot borrow() {
    try {
      if (!permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new PublishException("all " + size + " Kafka producers for " + serves
            + " are busy; retry in a few seconds", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted while waiting for a Kafka producer", e);
    }
    try {
      Slot slot = idle.poll();
      return slot != null ? slot : newProducer(freeIds.remove());
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** A producer whose transaction ended cleanly (committed or aborted) serves the next one. */
  void giveBack(Slot slot) {
    idle.add(slot);
    permits.release();
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
  void discard(Slot slot) {
    slot.producer().close(Duration.ZERO);
    freeIds.add(slot.id());
    permits.release();
  }

  private Slot newProducer(int id) {
    Producer<String, byte[]> producer = factory.create(
        ProducerConfigs.transactional(timeout, transactionTimeout, transactionalIdPrefix + id));
    try {
      producer.initTransactions();
      return new Slot(id, producer);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      freeIds.add(id);
      throw new PublishException("cannot start a Kafka producer: " + e.getMessage(), e);
    }
  }

  /** Closes the idle producers. */
  @Override
  public void close() {
    Slot s;
    while ((s = idle.poll()) != null) {
      s.producer().close(Duration.ofSeconds(5));
    }
  }
}
