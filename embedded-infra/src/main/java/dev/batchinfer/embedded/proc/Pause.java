package dev.batchinfer.embedded.proc;

/** The harness's small waits between polls. */
final class Pause {

  private Pause() {}

  /** A pause between two polls of a condition: never a measurement. */
  static void millis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

}
