package dev.batchinfer.api.read;

import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;

/** Finding a caller's batch: another tenant's looks missing (404); one past its retention is 410. */
public final class Batches {

  private Batches() {}

  public static BatchRecord require(BatchStores store, String tenant, String id) {
    return store.records().find(tenant, id).orElseThrow(() -> store.retention().removedAt(tenant, id)
        .map(at -> new ApiException(410, "removed", "Batch removed", "batch " + id
            + " and its results were removed at " + at + ", when its retention ended", null, null))
        .orElseGet(() -> ApiException.notFound("no batch with id " + id)));
  }
}
