package dev.batchinfer.worker.infer;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Model calls as one accelerator makes them: one at a time, each taking {@code callTime} whatever its
 * size (up to the micro-batch's), the way a GPU runs a batch in about the same time for 1 or 256 items. The
 * real SavedModel still runs and its answer is the result; the rest of the call time is spent waiting, not on
 * a CPU. For measuring how the system scales across workers on a machine whose CPUs the model would
 * otherwise saturate ({@code SIMULATED_ACCELERATOR_CALL}); never on in production.
 */
public final class SimulatedAccelerator {

  /** No simulation: calls run as fast as the model does, as many at once as there are inference threads. */
  public static final SimulatedAccelerator NONE = new SimulatedAccelerator(Duration.ZERO);

  private final long callNanos;
  private final ReentrantLock device = new ReentrantLock(true);

  public SimulatedAccelerator(Duration callTime) {
    this.callNanos = callTime.toNanos();
  }

  public boolean isOn() {
    return callNanos > 0;
  }

  /** Runs {@code model} on the device, returning its answer no sooner than the call time after it started. */
  public <T> T call(Supplier<T> model) {
    if (callNanos == 0) {
      return model.get();
    }
    device.lock();
    try {
      long end = System.nanoTime() + callNanos;
      T answer = model.get();
      for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      return answer;
    } finally {
      device.unlock();
    }
  }
}
