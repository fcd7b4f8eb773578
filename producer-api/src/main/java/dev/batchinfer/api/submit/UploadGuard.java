package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Bounds how long a request body takes to arrive: it fails with 408 once {@link Limits#timeout}
 * has passed since the request began, or once a whole rate window went by at less than the
 * minimum rate. A streamed upload holds a Kafka transaction open (and read_committed consumers
 * wait behind it) while its body arrives, so the body itself must be bounded, not only what is
 * done with it. Checked whenever a read returns; a read that blocks is bounded by the server's
 * idle timeout, and an upload's transaction by its transaction timeout.
 */
public final class UploadGuard extends FilterInputStream {

  /**
   * @param timeout the longest a body may take (UPLOAD_TIMEOUT)
   * @param minBytesPerSecond the slowest it may arrive over any {@code rateWindow}; 0 for no minimum
   */
  public record Limits(Duration timeout, long minBytesPerSecond, Duration rateWindow) {}

  private final Limits limits;
  private final LongSupplier nanoTime;
  private final long deadline;
  private long windowStart;
  private long windowBytes;

  public UploadGuard(InputStream in, Limits limits) {
    this(in, limits, System::nanoTime);
  }

  UploadGuard(InputStream in, Limits limits, LongSupplier nanoTime) {
    super(in);
    this.limits = limits;
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
    this.deadline = windowStart + limits.timeout().toNanos();
  }

  @Override
  public int read() throws IOException {
    check(0);
    int b = super.read();
    check(b < 0 ? 0 : 1);
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    check(0);
    int n = super.read(buf, off, len);
    check(Math.max(0, n));
    return n;
  }

  private void check(int justRead) {
    long now = nanoTime.getAsLong();
    if (now - deadline > 0) {
      throw tooSlow("the body took longer than " + seconds(limits.timeout())
          + " s to arrive: send it faster, or split it into smaller batches");
    }
    windowBytes += justRead;
    long elapsed = now - windowStart;
    if (limits.minBytesPerSecond() > 0 && elapsed >= limits.rateWindow().toNanos()) {
      double rate = windowBytes * 1e9 / elapsed;
      if (rate < limits.minBytesPerSecond()) {
        throw tooSlow("the body arrived at " + (long) rate + " bytes/s over the last " + seconds(Duration.ofNanos(elapsed))
            + " s; send it at " + limits.minBytesPerSecond() + " bytes/s or more, without pauses");
      }
      windowStart = now;
      windowBytes = 0;
    }
  }

  private static long seconds(Duration d) {
    return d.toSeconds();
  }

  private static ApiException tooSlow(String why) {
    return new ApiException(408, "upload-timeout", "Upload too slow",
        why + "; nothing was accepted: send it faster, or split it into several batches", null, null);
  }
}
