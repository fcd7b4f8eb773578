package dev.batchinfer.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * A streamed submit's body: NDJSON lines or raw inputs from a file or a stream, read as they are sent, never held
 * whole. A file is sent again on a retry; a stream only while none of it was read. {@link #onProgress} hears the
 * bytes sent so far (what the CLI's upload bar shows).
 */
public final class Upload {

  private final Path file;
  private final InputStream stream;
  private final java.util.function.Supplier<InputStream> opener;
  private final LongConsumer progress;
  private final AtomicBoolean streamTaken = new AtomicBoolean();

  private Upload(Path file, InputStream stream, java.util.function.Supplier<InputStream> opener, LongConsumer progress) {
    this.file = file;
    this.stream = stream;
    this.opener = opener;
    this.progress = progress;
  }

  public static Upload of(Path file) {
    return new Upload(file, null, null, n -> { });
  }

  /** A stream read once: a failed attempt after its first byte is not sent again. */
  public static Upload of(InputStream stream) {
    return new Upload(null, stream, null, n -> { });
  }

  /** Streams opened anew for each attempt (e.g. a file converted as it is read): sent again like a file. */
  public static Upload opening(java.util.function.Supplier<InputStream> opener) {
    return new Upload(null, null, opener, n -> { });
  }

  public Upload onProgress(LongConsumer bytesSent) {
    return new Upload(file, stream, opener, bytesSent);
  }

  Transport.Body body() {
    return new Transport.Body() {
      @Override
      public HttpRequest.BodyPublisher publisher() {
        if (opener != null) {
          return HttpRequest.BodyPublishers.ofInputStream(() -> counting(opener.get()));
        }
        if (file == null) {
          streamTaken.set(true);
          return HttpRequest.BodyPublishers.ofInputStream(() -> counting(stream));
        }
        try {
          long size = Files.size(file);
          return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
              return counting(Files.newInputStream(file));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }), size);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file, e);
        }
      }

      @Override
      public boolean repeatable() {
        return file != null || opener != null || !streamTaken.get();
      }
    };
  }

  private InputStream counting(InputStream in) {
    return new CountingInputStream(in, progress);
  }
}
