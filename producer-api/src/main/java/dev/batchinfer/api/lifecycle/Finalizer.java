package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.api.submit.OpenControl;
import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.OpenBatches;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Fixes an open batch's total: holding the batch's append slot (so no append is in flight), it sends the seal with
 * what the confirmed appends add up to, then marks the batch finalized. Its finalize asks for it, and so does a
 * cancel (an open batch is sealed as it stands, so its cancel can end). An API that dies after the seal leaves the
 * progress service's sweep to find the seal in Kafka and mark the batch finalized.
 */
public final class Finalizer {

  /** The finalize (or cancel) holds the slot this long before a sweep may judge it. */
  static final Duration SLOT = Duration.ofSeconds(60);

  private final BatchStores store;
  private final BatchControl control;
  private final Duration timeout;

  public Finalizer(BatchStores store, BatchControl control, Duration timeout) {
    this.store = store;
    this.control = control;
    this.timeout = timeout;
  }

  /** What the seal fixed. */
  public record Sealed(long total, int chunks) {}

  /** Something sent on the progress topic while the slot is held, before the seal. */
  public interface Before {
    CompletableFuture<Void> send(BatchRecord batch);
  }

  /**
   * Seals the batch at its confirmed appends.
   *
   * @param why names the slot's holder ("finalize" or "cancel"); a sweep tells a seal from an append by it
   * @param before sent first, in order before the seal (a cancel's event), or null
   * @return the counts it fixed; a batch already finalized answers its own (nothing is sent again)
   */
  public Sealed seal(BatchRecord batch, String why, Before before) throws InterruptedException {
    String holder = why + "-" + UUID.randomUUID();
    long now = System.currentTimeMillis();
    OpenBatches.Begun begun = store.open().begin(batch.batchId(), holder, now, now + SLOT.toMillis());
    if (begun.slot() == OpenBatches.Slot.FINALIZED) {
      return new Sealed(batch.total(), batch.chunkCount());
    }
    OpenControl.refuseUnlessHeld(begun.slot(), why);
    // Once the seal may be on its way, the slot stays held until a sweep has seen whether it landed: freed early,
    // an append could follow a seal the topology then holds to, and its items would fall outside the batch.
    boolean sealSent = false;
    try {
      store.open().prepare(batch.batchId(), holder, new OpenBatches.Appended(begun.total(), 0, begun.chunks(), 0),
          new long[0]);
      if (before != null) {
        ControlRequests.awaitQueued(before.send(batch), timeout, why);
      }
      sealSent = true;
      ControlRequests.awaitQueued(control.seal(batch.batchId(), begun.chunks(), begun.total(), System.currentTimeMillis()),
          timeout, why);
      store.open().finalized(batch.batchId(), holder);
      return new Sealed(begun.total(), begun.chunks());
    } catch (RuntimeException e) {
      if (!sealSent) {
        store.open().abandon(batch.batchId(), holder);
      }
      if (e instanceof dev.batchinfer.api.problem.ApiException a) {
        throw a;
      }
      throw new RetriableApiException("the batch store is unavailable; repeat the " + why, Duration.ofSeconds(2));
    }
  }
}
