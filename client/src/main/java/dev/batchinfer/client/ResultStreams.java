package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * A batch's finished results as the API streams them ({@code Accept: application/x-ndjson}): one request, read
 * as it arrives, so memory holds a line or a buffer whatever the batch's size. {@link BatchClient}'s streamed reads.
 */
final class ResultStreams {

  private static final int BUFFER = 64 * 1024;

  private final Transport transport;

  ResultStreams(Transport transport) {
    this.transport = transport;
  }

  /** Parsed one line at a time as the stream is read; closing the stream ends the request. */
  Stream<JsonNode> lines(String resultsPath, boolean merged) {
    BufferedReader lines = new BufferedReader(new InputStreamReader(open(resultsPath, merged), StandardCharsets.UTF_8));
    return lines.lines().filter(l -> !l.isBlank()).map(l -> Transport.read(l.getBytes(StandardCharsets.UTF_8)))
        .onClose(() -> {
          try {
            lines.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        });
  }

  /** Copies the stream to {@code out} as it arrives; {@code progress} hears the bytes written so far. */
  long copy(String batchId, String resultsPath, boolean merged, OutputStream out, LongConsumer progress) {
    try (InputStream in = open(resultsPath, merged)) {
      byte[] buf = new byte[BUFFER];
      long total = 0;
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        total += n;
        progress.accept(total);
      }
      out.flush();
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException("the results of " + batchId + " could not be read to their end", e);
    }
  }

  private InputStream open(String resultsPath, boolean merged) {
    Transport.Call call = Transport.Call.get(resultsPath + (merged ? "?merged=true" : "")).accepting(BatchClient.NDJSON);
    return Transport.join(transport.stream(call)).body();
  }
}
