package dev.batchinfer.chaos;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition, polling, with a deadline; the harness's only way of waiting. */
public final class Await {

  private Await() {}

  /** @throws IllegalStateException naming {@code what} if it did not hold within {@code timeout} */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for: " + what);
      }
      pause(Duration.ofMillis(200));
    }
  }

  /** A pause between polls, or the length of a fault (a Redis outage lasts this long): never a measurement. */
  public static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
