package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * Stops reading a body past the limit, whatever Content-Length said (or did not say), and at its
 * end gives back the body memory it held beyond its size.
 */
final class LimitedInputStream extends FilterInputStream {

  private final long limit;
  private final BodyMemory.Hold hold;
  private long read;

  LimitedInputStream(InputStream in, long limit, BodyMemory.Hold hold) {
    super(in);
    this.limit = limit;
    this.hold = hold;
  }

  @Override
  public int read() throws java.io.IOException {
    int b = super.read();
    if (b >= 0) {
      count(1);
    } else {
      hold.shrinkTo(read);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws java.io.IOException {
    int n = super.read(buf, off, len);
    if (n > 0) {
      count(n);
    } else if (n < 0) {
      hold.shrinkTo(read);
    }
    return n;
  }

  private void count(int n) {
    read += n;
    if (read > limit) {
      throw ApiException.tooLarge("", "the body is larger than " + limit + " bytes (MAX_REQUEST_MB): split the batch");
    }
  }
}
