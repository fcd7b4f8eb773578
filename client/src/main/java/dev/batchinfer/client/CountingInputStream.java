package dev.batchinfer.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Tells {@code progress} how many bytes have been read through it so far, after every read. */
public final class CountingInputStream extends FilterInputStream {

  private final LongConsumer progress;
  private long read;

  public CountingInputStream(InputStream in, LongConsumer progress) {
    super(in);
    this.progress = progress;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      progress.accept(++read);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      read += n;
      progress.accept(read);
    }
    return n;
  }
}
