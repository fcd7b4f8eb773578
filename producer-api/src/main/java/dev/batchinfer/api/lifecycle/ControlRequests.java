package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.problem.RetriableApiException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the cancel, pause and resume routes share: a control event must be on the progress topic before a 202. */
final class ControlRequests {

  private ControlRequests() {}

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
