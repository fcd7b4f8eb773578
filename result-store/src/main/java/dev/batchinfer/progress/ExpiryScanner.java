package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchStores;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines: a batch still unfinished when its completion window ends is flagged for workers (they
 * skip what is left) and an expiry goes to the progress topic, where the topology ends the batch
 * {@code expired}, keeps what finished, and emits {@code batch.expired}; the expiry says why
 * ({@link ExpiryReasons}). A batch that asked to run past its deadline ({@code "on_deadline": "run"}) gets no flag:
 * its items run, and the topology counts those answered after the deadline. Running it twice is harmless: the
 * topology ignores an expiry of a batch that is already final, and a second deadline passing.
 */
public final class ExpiryScanner implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ExpiryScanner.class);
  private static final int PER_RUN = 200;

  private final BatchStores store;
  private final BatchControl control;
  private final ExpiryReasons reasons;

  public ExpiryScanner(BatchStores store, BatchControl control, ExpiryReasons reasons) {
    this.store = store;
    this.control = control;
    this.reasons = reasons;
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
        var ended = batch.get().steering().runPastDeadline() ? control.deadlinePassed(batch.get(), now)
            : control.expire(batch.get(), now, reasons.why(batch.get(), now));
        ended.whenComplete((sent, e) -> {
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
