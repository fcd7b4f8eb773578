package dev.batchinfer.api.lifecycle;

import dev.batchinfer.observability.KafkaContext;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.ParkedChunks;
import io.lettuce.core.ScanCursor;
import dev.batchinfer.topics.Topics;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the chunks workers set aside for a paused batch back to the request topic of its priority, once the
 * batch no longer parks: resumed, or cancelled or expired (whose workers then answer them so the batch can end).
 * A resume releases at once; a sweep every {@link #SWEEP_EVERY} releases what a resume left behind (its API died
 * half-way) and the chunks of batches cancelled or expired while paused. A chunk is deleted from Redis only after
 * its record is acknowledged, so a failed release is repeated, never lost; repeated, it runs twice at worst.
 */
public final class ParkedRelease implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ParkedRelease.class);
  static final Duration SWEEP_EVERY = Duration.ofSeconds(2);
  /** Several API instances sweep: one releases a batch at a time, for at most this long. */
  static final Duration LEASE = Duration.ofSeconds(30);
  private static final int SWEEP_BATCHES = 100;
  /** Chunks held at once by a release (each up to a chunk record's size, a megabyte by default). */
  static final int PAGE = 16;

  private final BatchStores store;
  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final Duration timeout;
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "parked-release");
    t.setDaemon(true);
    return t;
  });

  public ParkedRelease(BatchStores store, Producer<String, byte[]> producer, Topics topics, Duration timeout) {
    this.store = store;
    this.producer = producer;
    this.topics = topics;
    this.timeout = timeout;
  }

  public ParkedRelease start() {
    sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Every batch with parked chunks whose pause is over. */
  void sweep() {
    try {
      for (String batchId : store.parked().batches(SWEEP_BATCHES)) {
        release(batchId);
      }
    } catch (RuntimeException e) {
      log.warn("parked chunks not swept this time: {}", e.toString());
    }
  }

  /**
   * Sends back the batch's parked chunks unless it still parks; how many went back (0 if it still parks, or
   * another instance is releasing it).
   */
  public int release(String batchId) {
    if (store.flags().skips(batchId).parks() || !store.parked().leaseRelease(batchId, LEASE)) {
      return 0;
    }
    try {
      Optional<BatchRecord> batch = store.records().find(batchId);
      int released = 0;
      ScanCursor at = ScanCursor.INITIAL;
      ParkedChunks.Page page;
      do {
        page = store.parked().parked(batchId, at, PAGE);
        // The batch gone: nothing left to answer for, its chunks are dropped.
        List<Integer> sent = batch.isEmpty() ? List.copyOf(page.chunks().keySet()) : send(batch.get(), page.chunks());
        store.parked().released(batchId, sent);
        store.parked().renewRelease(batchId, LEASE);
        released += batch.isEmpty() ? 0 : sent.size();
        at = page.next();
      } while (!page.last());
      if (released > 0) {
        log.info("batch {}: {} parked chunks back on the {} queue", batchId, released, batch.get().priority().wire());
      }
      return released;
    } finally {
      store.parked().endRelease(batchId);
    }
  }

  private List<Integer> send(BatchRecord batch, Map<Integer, byte[]> parked) {
    String topic = topics.requests(batch.priority()).name();
    List<Integer> indexes = new ArrayList<>();
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    parked.forEach((index, chunk) -> {
      CompletableFuture<Void> ack = new CompletableFuture<>();
      String key = batch.batchId() + ":" + index;
      var headers = KafkaContext.inject(Context.root(), batch.tenant(), null, new RecordHeaders());
      producer.send(new ProducerRecord<>(topic, null, key, chunk, headers), (meta, e) -> {
        if (e == null) {
          ack.complete(null);
        } else {
          ack.completeExceptionally(e);
        }
      });
      indexes.add(index);
      acks.add(ack);
    });
    List<Integer> sent = new ArrayList<>();
    for (int i = 0; i < acks.size(); i++) {
      try {
        acks.get(i).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        sent.add(indexes.get(i));
      } catch (Exception e) {
        log.warn("batch {}: parked chunk {} not sent back yet (the sweep tries again): {}", batch.batchId(),
            indexes.get(i), e.toString());
      }
    }
    return sent;
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    producer.close(timeout);
  }
}
