package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.RetriableApiException;
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
 * the API. A body of unknown length takes room for the largest body allowed, and gives back what it
 * did not need once it has been read to its end. Every body takes its room in one step, so no two
 * bodies can each hold part and wait for the other. One larger than the whole budget takes all of
 * it: it runs alone rather than never.
 */
public final class BodyMemory {

  private static final long KIB = 1024;
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

  /**
   * Room for a body of {@code declaredLength} bytes, or of at most {@code maxBytes} when its length
   * is unknown (-1), waiting for it if need be.
   *
   * @throws RetriableApiException if no room came within the wait
   */
  public Hold hold(long declaredLength, long maxBytes) {
    Hold hold = new Hold(this);
    hold.take(kib(declaredLength >= 0 ? declaredLength : maxBytes));
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

    private void take(long wantedKib) {
      int kib = (int) Math.min(wantedKib, memory.budgetKib);
      if (kib <= 0) {
        return;
      }
      boolean got;
      try {
        got = memory.freeKib.tryAcquire(kib, memory.wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        got = false;
      }
      if (!got) {
        throw new RetriableApiException("the API holds as many request bodies in memory as it may ("
            + memory.budgetKib / KIB + " MB), and no room came free within " + memory.wait.toMillis()
            + " ms; nothing was accepted: retry, or send large batches as NDJSON, or raw over 8 MB, which are streamed",
            RETRY_AFTER);
      }
      heldKib = kib;
    }

    /** The body ended after {@code bytes}: gives back the room it held beyond them (for a body of unknown length). */
    public void shrinkTo(long bytes) {
      int keep = (int) Math.min(heldKib, kib(bytes));
      if (memory != null && keep < heldKib) {
        memory.freeKib.release(heldKib - keep);
        heldKib = keep;
      }
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
