package dev.batchinfer.worker.infer;

import java.time.Duration;
import java.util.List;

/**
 * Notices an inference thread that died (an Error escaped it) or a model call that hangs. Either
 * way the worker would keep its partitions, since its consumer thread goes on polling, and never
 * process them: the worker must go, so its partitions move to the others and an orchestrator
 * restarts it. Pure logic; {@code GpuWorkerApp} asks it every second and acts on the answer.
 */
public final class InferenceWatchdog {

  /**
   * One inference thread.
   *
   * @param callRunningNanos now (System.nanoTime) → how long its model call in progress has run, 0 between calls
   */
  public record Watched(Thread thread, java.util.function.LongUnaryOperator callRunningNanos) {}

  private final List<Watched> watched;
  private final long callTimeoutNanos;

  /** @param callTimeout MODEL_CALL_TIMEOUT: the longest one micro-batch may take in the model */
  public InferenceWatchdog(List<Watched> watched, Duration callTimeout) {
    this.watched = List.copyOf(watched);
    this.callTimeoutNanos = callTimeout.toNanos();
  }

  /** Why the worker must stop, or null while every inference thread is alive and no call is overdue. */
  public String problem(long nowNanos) {
    for (Watched w : watched) {
      if (!w.thread().isAlive()) {
        return "inference thread " + w.thread().getName() + " died";
      }
      long running = w.callRunningNanos().applyAsLong(nowNanos);
      if (running > callTimeoutNanos) {
        return "a model call on " + w.thread().getName() + " has run for " + Duration.ofNanos(running).toSeconds()
            + " s, past MODEL_CALL_TIMEOUT (" + Duration.ofNanos(callTimeoutNanos).toSeconds() + " s)";
      }
    }
    return null;
  }
}
