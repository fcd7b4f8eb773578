package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the routes that steer a batch share: which batches they take, and a control event on the progress topic
 * before a 2xx.
 */
final class ControlRequests {

  private ControlRequests() {}

  /**
   * The caller's batch named in the path, if it can still be steered (paused, resumed, moved): neither final nor
   * being cancelled; else 409 saying there is nothing to {@code action}.
   */
  static BatchRecord steerable(BatchStores store, Context ctx, String action) {
    String id = ctx.pathParam("id");
    BatchRecord batch = Batches.require(store, Authenticator.principal(ctx).tenant(), id);
    if (batch.status().isFinal()) {
      throw new ApiException(409, "already-final", "Batch already finished",
          "batch " + id + " is already " + batch.status().wire() + "; there is nothing to " + action, null, null);
    }
    if (batch.cancelRequested()) {
      throw new ApiException(409, "cancelling", "Batch is being cancelled",
          "batch " + id + " is being cancelled; there is nothing to " + action, null, null);
    }
    return batch;
  }

  /**
   * Waits for the event; if it is not queued in time, the client repeats the (idempotent) request. The flag is
   * already set by then, so workers act on it meanwhile; only the status waits for the event.
   */
  static void awaitQueued(CompletableFuture<Void> sent, Duration timeout, String action) throws InterruptedException {
    try {
      sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new RetriableApiException("the " + action + " was noted but not yet queued; repeat it", Duration.ofSeconds(2));
    }
  }
}
