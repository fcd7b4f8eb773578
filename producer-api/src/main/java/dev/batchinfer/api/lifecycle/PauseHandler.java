package dev.batchinfer.api.lifecycle;

import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/batch/{id}/pause} and {@code /resume}. A pause stops workers from starting the batch's chunks
 * within about a second (they set them aside; chunks already at a model finish), and other batches keep flowing;
 * a resume runs them again. Both are idempotent. The completion window keeps running while a batch is paused:
 * a batch paused past its deadline expires as any other.
 */
public final class PauseHandler {

  private final BatchStores store;
  private final BatchControl control;
  private final ParkedRelease release;
  private final Duration timeout;

  public PauseHandler(BatchStores store, BatchControl control, ParkedRelease release, Duration timeout) {
    this.store = store;
    this.control = control;
    this.release = release;
    this.timeout = timeout;
  }

  public void pause(Context ctx) throws InterruptedException {
    BatchRecord batch = ControlRequests.steerable(store, ctx, "pause");
    ControlRequests.awaitQueued(control.pause(batch, System.currentTimeMillis()), timeout, "pause");
    ctx.status(202).json(answer(batch, true, null));
  }

  public void resume(Context ctx) throws InterruptedException {
    BatchRecord batch = ControlRequests.steerable(store, ctx, "resume");
    ControlRequests.awaitQueued(control.resume(batch, System.currentTimeMillis()), timeout, "resume");
    ctx.status(202).json(answer(batch, false, release.release(batch.batchId())));
  }

  private static Map<String, Object> answer(BatchRecord batch, boolean paused, Integer released) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("batch_id", batch.batchId());
    m.put("status", batch.status().wire());
    m.put("paused", paused);
    if (released != null) {
      m.put("released_chunks", released);
    }
    return m;
  }
}
