package dev.batchinfer.progress;

import dev.batchinfer.store.batch.BatchQueue;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.topics.message.BatchStatus;

/**
 * Why a batch had not finished when its window ended, in words for its status ({@code expired_reason}): paused
 * past its deadline; no worker serving its model version; waiting in the queue behind other work; or still running.
 */
public final class ExpiryReasons {

  /** A version whose workers reported within this long counts as served (heartbeats come every 2 s). */
  static final long SERVED_FRESH_MS = 15_000;
  private static final int ITEMS_AHEAD_SAMPLE = 32;

  private final BatchQueue queue;
  private final ModelTelemetry telemetry;

  public ExpiryReasons(BatchQueue queue, ModelTelemetry telemetry) {
    this.queue = queue;
    this.telemetry = telemetry;
  }

  public String why(BatchRecord b, long nowMs) {
    try {
      if (b.steering().pauseRequested()) {
        return "paused past the deadline";
      }
      String version = b.model() + "@" + b.modelVersion();
      if (!telemetry.served(b.model(), b.modelVersion(), nowMs, SERVED_FRESH_MS)) {
        return "no worker served " + version + " before the deadline";
      }
      if (b.status() == BatchStatus.QUEUED) {
        long ahead = queue.itemsAhead(b.priority(), b.created(), ITEMS_AHEAD_SAMPLE);
        return "waited in the queue behind " + ahead + (ahead > 0 && queue.batchesAhead(b.priority(), b.created())
            > ITEMS_AHEAD_SAMPLE ? "+" : "") + " items of earlier or higher-priority batches";
      }
      return "the window ended while it ran: " + (b.completed() + b.failed() + b.cancelled()) + " of " + b.total()
          + " items answered";
    } catch (RuntimeException e) {
      return null; // the expiry must not wait for its explanation
    }
  }
}
