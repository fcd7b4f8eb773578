package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.store.batch.OpenBatches;
import java.time.Duration;
import java.time.Instant;

/** Why an open batch takes no append (or finalize) now: one 409 each, naming the reason. */
public final class OpenControl {

  private OpenControl() {}

  /** @param verb what was asked, as in "cannot append to" */
  public static void refuseUnlessOpen(BatchRecord batch, String verb) {
    String id = batch.batchId();
    if (!batch.steering().open()) {
      throw conflict("not-open", "Batch not open", "batch " + id + " was not created with \"open\": true; cannot " + verb
          + " it. Submit another batch");
    }
    if (batch.status() == BatchStatus.EXPIRED || batch.deadline() != null && Instant.now().isAfter(batch.deadline())) {
      throw conflict("expired", "Batch expired", "batch " + id + " passed its completion window; cannot " + verb + " it");
    }
    if (batch.status() == BatchStatus.CANCELLED || batch.cancelRequested()) {
      throw conflict("cancelled", "Batch cancelled", "batch " + id + " was cancelled; cannot " + verb + " it");
    }
    if (batch.steering().finalized() || batch.status().isFinal()) {
      throw conflict("finalized", "Batch finalized", "batch " + id + " is finalized: its total is fixed; cannot " + verb
          + " it. Submit another batch for more items");
    }
  }

  /** The slot as {@link OpenBatches#begin} left it: nothing if taken, else the 409 for why not. */
  public static void refuseUnlessHeld(OpenBatches.Slot slot, String verb) {
    switch (slot) {
      case OK -> { }
      case BUSY -> throw new ApiException(409, "append-in-flight", "Another append in flight", "another append (or the "
          + "finalize) of this batch is still running; one runs at a time: retry when it has answered", null,
          Duration.ofSeconds(1));
      case FINALIZED -> throw conflict("finalized", "Batch finalized", "the batch is finalized; cannot " + verb + " it");
      case NOT_OPEN -> throw conflict("not-open", "Batch not open", "the batch takes no appends; cannot " + verb + " it");
      case NOT_FOUND -> throw new ApiException(404, "not-found", "Batch not found", "no such batch", null, null);
    }
  }

  private static ApiException conflict(String type, String title, String detail) {
    return new ApiException(409, type, title, detail, null, null);
  }
}
