package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.PendingBatches;
import dev.batchinfer.topics.Topics;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves submits that were never seen to finish (see {@link PendingBatches}): an API that died, or lost Redis,
 * between reserving quota, recording the batch and committing its chunks. Once such an entry is due (the submit's
 * transaction can no longer commit), what reached Kafka decides:
 *
 * <ul>
 *   <li>no record: nothing was sent (the record precedes every commit); the quota reservation is given back;
 *   <li>a record whose seal (a transaction) or whose one chunk (a batch sent alone) is in Kafka: it was accepted,
 *       the record is confirmed and runs like any other;
 *   <li>a record with neither: a ghost, with no chunks anywhere; it is removed, reservation, queue place and
 *       deadline with it, so it neither holds the tenant's room nor fires {@code batch.expired} one day.
 * </ul>
 *
 * <p>A question Kafka cannot answer yet (a transaction still open on the partition) is asked again on the next
 * run; so is one that failed on an outage. Running on several instances at once is harmless: each verdict is
 * the same, and removing or confirming twice is idempotent.
 */
public final class GhostSweeper implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(GhostSweeper.class);
  private static final int PER_RUN = 20;

  private final BatchStores store;
  private final Topics topics;
  private final KeyedRecordFinder finder;

  public GhostSweeper(BatchStores store, Topics topics, KeyedRecordFinder finder) {
    this.store = store;
    this.topics = topics;
    this.finder = finder;
  }

  @Override
  public void run() {
    try {
      sweep(System.currentTimeMillis());
    } catch (RuntimeException e) {
      log.warn("ghost sweep failed, retrying on the next run: {}", e.toString());
    }
  }

  /** Resolves what is due by {@code nowMs}; returns how many entries it resolved. */
  public int sweep(long nowMs) {
    PendingBatches pending = store.pending();
    int resolved = 0;
    for (PendingBatches.Due due : pending.due(nowMs, PER_RUN)) {
      PendingBatches.Recorded r = pending.recorded(due.batchId());
      if (r == null) {
        store.quota().release(due.tenant(), due.batchId());
        pending.forget(due.batchId(), due.tenant());
        resolved++;
        continue;
      }
      if (r.commit() == null) {
        pending.forget(due.batchId(), due.tenant());
        resolved++;
        continue;
      }
      Optional<Boolean> committed = find(due.batchId(), r);
      if (committed.isEmpty()) {
        continue; // not decidable yet
      }
      if (committed.get()) {
        log.info("batch {}: its API did not confirm the commit; found in Kafka, confirmed", due.batchId());
        pending.confirm(due.batchId(), due.tenant());
      } else {
        log.warn("batch {}: recorded but never committed (its API stopped in between); removed", due.batchId());
        store.records().delete(due.batchId());
      }
      resolved++;
    }
    return resolved;
  }

  private Optional<Boolean> find(String batchId, PendingBatches.Recorded r) {
    // The proving record was produced after the batch's creation time was taken; a minute for clocks.
    long from = r.createdMs() - Duration.ofMinutes(1).toMillis();
    if (r.commit() == PendingBatches.Commit.TRANSACTION) {
      return finder.find(topics.progress().name(), batchId, from);
    }
    return finder.find(topics.requests(r.priority()).name(), batchId + ":0", from);
  }
}
