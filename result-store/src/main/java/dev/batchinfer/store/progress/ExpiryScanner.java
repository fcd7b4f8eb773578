package dev.batchinfer.store.progress;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.message.ChunkDone;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines: a batch still unfinished when its completion window ends is flagged for workers (they
 * skip what is left) and an expiry goes to the progress topic, where the topology ends the batch
 * {@code expired}, keeps what finished, and emits {@code batch.expired}. Running it twice is harmless:
 * the topology ignores an expiry of a batch that is already final.
 */
public final class ExpiryScanner implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ExpiryScanner.class);
  private static final int PER_RUN = 200;

  private final BatchStores store;
  private final Producer<String, ChunkDone> producer;
  private final Topic<String, ChunkDone> progress;

  public ExpiryScanner(BatchStores store, Producer<String, ChunkDone> producer, Topic<String, ChunkDone> progress) {
    this.store = store;
    this.producer = producer;
    this.progress = progress;
  }

  @Override
  public void run() {
    try {
      long now = System.currentTimeMillis();
      for (String id : store.deadlines().passed(now, PER_RUN)) {
        Optional<BatchRecord> batch = store.records().find(id);
        if (batch.isEmpty() || batch.get().status().isFinal()) {
          store.deadlines().clear(id);
          continue;
        }
        var pending = store.pending().recorded(id);
        if (pending != null && pending.commit() != null) {
          continue; // maybe a ghost, which must not fire batch.expired: the ghost sweeper decides first
        }
        store.flags().flagExpired(id);
        producer.send(new ProducerRecord<>(progress.name(), id,
            ChunkDone.expiry(id, batch.get().chunkCount(), batch.get().total(), now)), (meta, e) -> {
              if (e == null) {
                store.deadlines().clear(id);
              } else {
                log.warn("batch {}: expiry not queued yet, retrying: {}", id, e.toString());
              }
            });
      }
    } catch (RuntimeException e) {
      log.warn("deadline scan failed: {}", e.toString());
    }
  }
}
