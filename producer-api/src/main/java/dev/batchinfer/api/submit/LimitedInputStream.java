package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * Stops reading a body past the limit, whatever Content-Length said (or did not say), and says its
 * size when it ends (so the body memory it held beyond that can be given back).
 */
final class LimitedInputStream extends FilterInputStream {

  private final long limit;
  private final java.util.function.LongConsumer atEnd;
  private long read;

  /** @param atEnd told the body's size when it has been read to its end */
  LimitedInputStream(InputStream in, long limit, java.util.function.LongConsumer atEnd) {
    super(in);
    this.limit = limit;
    this.atEnd = atEnd;
  }

  @Override
  public int read() throws java.io.IOException {
    int b = super.read();
    if (b >= 0) {
      count(1);
    } else {
      atEnd.accept(read);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws java.io.IOException {
    int n = super.read(buf, off, len);
    if (n > 0) {
      count(n);
    } else if (n < 0) {
      atEnd.accept(read);
    }
    return n;
  }

  private void count(int n) {
    read += n;
    if (read > limit) {
      throw ApiException.tooLarge("", "the body is over the limit of " + limit
          + " bytes: split it into smaller batches");
    }
  }
}
