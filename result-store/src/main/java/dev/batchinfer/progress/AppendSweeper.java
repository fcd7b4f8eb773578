package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.OpenBatches;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ProgressEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles appends (and finalizes) of open batches whose API went quiet while holding the batch's append slot, once
 * their time is up: by what reached Kafka. An append that never prepared never committed: its slot is freed. One
 * that prepared is confirmed if its {@link ProgressEvent.Appended} is on the progress topic, else freed (its
 * reservation back to what the batch held); a finalize or cancel is marked finalized if its seal is there, else
 * freed. A question Kafka cannot answer yet (a transaction still open) is asked again on the next run.
 */
public final class AppendSweeper implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(AppendSweeper.class);
  private static final int PER_RUN = 20;

  private final BatchStores store;
  private final Topics topics;
  private final KeyedRecordFinder finder;

  public AppendSweeper(BatchStores store, Topics topics, KeyedRecordFinder finder) {
    this.store = store;
    this.topics = topics;
    this.finder = finder;
  }

  @Override
  public void run() {
    try {
      sweep(System.currentTimeMillis());
    } catch (RuntimeException e) {
      log.warn("append sweep failed, retrying on the next run: {}", e.toString());
    }
  }

  /** Settles what is due by {@code nowMs}; returns how many it settled. */
  public int sweep(long nowMs) {
    OpenBatches open = store.open();
    int settled = 0;
    for (OpenBatches.Due due : open.due(nowMs, PER_RUN)) {
      Optional<OpenBatches.InFlight> held = open.inFlight(due.batchId()).filter(f -> f.appendId().equals(due.appendId()));
      if (held.isEmpty()) {
        open.forgetDue(due.batchId(), due.appendId()); // its request finished after all
        continue;
      }
      if (held.get().adds() == null && open.abandonUnprepared(due.batchId(), due.appendId())) {
        log.info("batch {}: append {} stopped before it could commit; its place is free", due.batchId(), due.appendId());
        settled++;
        continue;
      }
      boolean seal = due.appendId().startsWith("finalize-") || due.appendId().startsWith("cancel-");
      Predicate<byte[]> proof = value -> {
        ProgressEvent e;
        try {
          e = topics.progress().valueSerde().deserializer().deserialize(topics.progress().name(), value);
        } catch (RuntimeException unreadable) {
          return false;
        }
        return seal ? e instanceof ProgressEvent.Sealed
            : e instanceof ProgressEvent.Appended a && a.appendId().equals(due.appendId());
      };
      long from = held.get().sinceMs() - Duration.ofMinutes(1).toMillis(); // a minute for clocks
      Optional<Boolean> found = finder.find(topics.progress().name(), due.batchId(), from, proof);
      if (found.isEmpty()) {
        continue; // not decidable yet
      }
      settle(due, held.get(), seal, found.get());
      settled++;
    }
    return settled;
  }

  private void settle(OpenBatches.Due due, OpenBatches.InFlight held, boolean seal, boolean landed) {
    OpenBatches open = store.open();
    if (landed && seal) {
      log.info("batch {}: its API did not confirm the seal; found in Kafka, finalized", due.batchId());
      open.finalized(due.batchId(), due.appendId());
    } else if (landed) {
      log.info("batch {}: its API did not confirm append {}; found in Kafka, confirmed", due.batchId(), due.appendId());
      open.confirm(due.batchId(), due.appendId());
    } else {
      log.warn("batch {}: {} {} never reached Kafka; its place is free", due.batchId(), seal ? "seal" : "append",
          due.appendId());
      open.abandon(due.batchId(), due.appendId());
      store.records().find(due.batchId()).filter(r -> !seal && held.adds() != null).ifPresent(r ->
          store.quota().reserve(r.tenant(), r.batchId(), held.adds().firstItem(), Long.MAX_VALUE));
    }
  }
}
