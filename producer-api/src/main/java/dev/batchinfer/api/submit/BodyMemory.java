package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A bound on the request bodies the API holds in its heap at once. A JSON body, and a raw body
 * read whole, stay in memory as chunks until their batch is committed, so without a bound a few
 * large submits at once exhaust the heap: eight 53 MB JSON bodies sent together took an API with
 * a 256 MB heap to OutOfMemoryError.
 *
 * <p>A submit takes room for its Content-Length before it reads a byte, and waits for it first come,
 * first served, for at most the submit timeout; then it gets 503 with Retry-After and nothing is
 * read. Meanwhile its body waits in the network, so a burst slows the clients instead of failing
 * the API. A body of unknown length takes room as it is read. One larger than the whole budget
 * takes all of it: it runs alone rather than never.
 */
public final class BodyMemory {

  private static final long KIB = 1024;
  /** A body read past the room it holds takes at least this much more at a time. */
  private static final long STEP_KIB = 1024;
  private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

  private final Semaphore freeKib;
  private final int budgetKib;
  private final Duration wait;

  /**
   * @param budgetBytes what all held bodies may take together (BODY_MEMORY_MB)
   * @param wait the longest a submit waits for room
   */
  public BodyMemory(long budgetBytes, Duration wait) {
    if (budgetBytes < KIB) {
      throw new IllegalArgumentException("a body memory budget of " + budgetBytes + " bytes holds nothing");
    }
    this.budgetKib = (int) Math.min(Integer.MAX_VALUE, budgetBytes / KIB);
    this.freeKib = new Semaphore(budgetKib, true);
    this.wait = wait;
  }

  /** Room for a body of {@code declaredLength} bytes (-1: unknown, room is taken as it is read). */
  public Hold hold(long declaredLength) {
    Hold hold = new Hold(this);
    if (declaredLength > 0) {
      hold.take(kib(declaredLength));
    }
    return hold;
  }

  private static long kib(long bytes) {
    return (bytes + KIB - 1) / KIB;
  }

  /** The bytes not held by any body now. */
  public long freeBytes() {
    return freeKib.availablePermits() * KIB;
  }

  /** Room held by one body; closing it gives the room back. Not thread-safe: one request uses it. */
  public static final class Hold implements AutoCloseable {
    /** For a body that is streamed, never held whole: takes no room. */
    public static final Hold NOTHING = new Hold(null);

    private final BodyMemory memory;
    private int heldKib;

    private Hold(BodyMemory memory) {
      this.memory = memory;
    }

    /**
     * Makes sure the first {@code bytes} of the body are held, waiting for room if need be. Past
     * what it holds (no Content-Length, or more than it said), a body takes a step at a time.
     *
     * @throws ApiException 503 if no room came within the wait
     */
    public void cover(long bytes) {
      if (memory != null && bytes > heldKib * KIB) {
        take(Math.max(kib(bytes), heldKib + STEP_KIB));
      }
    }

    private void take(long wantedKib) {
      int more = (int) (Math.min(wantedKib, memory.budgetKib) - heldKib);
      if (more <= 0) {
        return; // holds the whole budget already: it runs alone
      }
      boolean got;
      try {
        got = memory.freeKib.tryAcquire(more, memory.wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        got = false;
      }
      if (!got) {
        throw ApiException.unavailable("the API holds as many request bodies in memory as it may ("
            + memory.budgetKib / KIB + " MB, BODY_MEMORY_MB), and no room came free within " + memory.wait.toMillis()
            + " ms; nothing was accepted: retry, or send large batches as NDJSON or raw uploads, which are streamed",
            RETRY_AFTER);
      }
      heldKib += more;
    }

    @Override
    public void close() {
      if (memory != null && heldKib > 0) {
        memory.freeKib.release(heldKib);
        heldKib = 0;
      }
    }
  }
}
