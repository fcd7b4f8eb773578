package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.api.submit.OpenControl;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/batch/{id}/finalize}: an open batch's total is fixed at what its appends hold; it completes (and
 * its webhook fires) once every item has ended. Asked again, it answers the same and sends nothing.
 */
public final class FinalizeHandler {

  private final BatchStores store;
  private final Finalizer finalizer;

  public FinalizeHandler(BatchStores store, Finalizer finalizer) {
    this.store = store;
    this.finalizer = finalizer;
  }

  public void handle(Context ctx) throws InterruptedException {
    BatchRecord batch = Batches.require(store, Authenticator.principal(ctx).tenant(), ctx.pathParam("id"));
    Finalizer.Sealed sealed;
    if (batch.steering().open() && batch.steering().finalized()) {
      sealed = new Finalizer.Sealed(batch.total(), batch.chunkCount());
    } else {
      OpenControl.refuseUnlessOpen(batch, "finalize");
      if (batch.total() == 0 && store.open().inFlight(batch.batchId()).isEmpty()) {
        throw new ApiException(409, "empty", "Batch has no items", "batch " + batch.batchId() + " has no items yet: "
            + "append some before finalizing it, or cancel it", null, null);
      }
      sealed = finalizer.seal(batch, "finalize", null);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("batch_id", batch.batchId());
    out.put("finalized", true);
    out.put("total", sealed.total());
    out.put("chunks", sealed.chunks());
    ctx.json(out);
  }
}
