package dev.batchinfer.api.openai;

import dev.batchinfer.api.problem.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code multipart/form-data} body part by part as it arrives (RFC 7578): each part's content is a stream
 * that ends at the next boundary, so a file part of any size passes through a fixed buffer. Parts must be read in
 * order; asking for the next part skips what is left of the current one. Not thread-safe.
 */
final class MultipartReader {

  /** A form field or file, with its content as a stream valid until the next call to {@link #next}. */
  record Part(String name, String filename, String contentType, InputStream content) {}

  /** The body is not well-formed multipart: a 400 about the whole body. */
  static final class MalformedException extends ApiException {
    MalformedException(String message) {
      super("", "the body is not valid multipart/form-data: " + message);
    }
  }

  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final Pattern NAME = Pattern.compile("(?:^|;)\\s*name=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern FILENAME = Pattern.compile("(?:^|;)\\s*filename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]+)\"|([^;\\s]+))");

  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf;
  private int pos;
  private int lim;
  private boolean partEnded;
  private boolean finished;
  private boolean started;

  MultipartReader(InputStream in, String boundary) {
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    this.buf = new byte[64 * 1024];
    // The first boundary has no CRLF before it: one is put there, so every boundary reads alike.
    buf[0] = '\r';
    buf[1] = '\n';
    lim = 2;
  }

  /** The boundary of a {@code multipart/form-data} content type, or null if it is not one. */
  static String boundaryOf(String contentType) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      return null;
    }
    Matcher m = BOUNDARY.matcher(contentType);
    if (!m.find()) {
      return null;
    }
    String b = m.group(1) != null ? m.group(1) : m.group(2);
    return b.isEmpty() || b.length() > 70 ? null : b;
  }

  /** The next part, or null after the closing boundary. */
  Part next() throws IOException {
    if (finished) {
      return null;
    }
    // The preamble before the first boundary, or what is left of the current part.
    drain();
    if (!available(2)) {
      throw new MalformedException("the multipart body ends without its closing boundary");
    }
    if (buf[pos] == '-' && buf[pos + 1] == '-') {
      finished = true;
      return null;
    }
    skipLineEnd();
    String headers = readHeaders();
    String disposition = header(headers, "content-disposition");
    if (disposition == null) {
      throw new MalformedException("a part has no Content-Disposition header");
    }
    Matcher name = NAME.matcher(disposition);
    if (!name.find()) {
      throw new MalformedException("a part's Content-Disposition has no name");
    }
    Matcher filename = FILENAME.matcher(disposition);
    partEnded = false;
    started = true;
    return new Part(name.group(1), filename.find() ? filename.group(1) : null, header(headers, "content-type"),
        new PartStream());
  }

  private void drain() throws IOException {
    byte[] skip = new byte[8192];
    while (readPart(skip, 0, skip.length) >= 0) {
      // skipped
    }
  }

  /** Whitespace after a boundary (transport padding), then CRLF. */
  private void skipLineEnd() throws IOException {
    while (available(1) && (buf[pos] == ' ' || buf[pos] == '\t')) {
      pos++;
    }
    if (!available(2) || buf[pos] != '\r' || buf[pos + 1] != '\n') {
      throw new MalformedException("a boundary is not followed by a line end");
    }
    pos += 2;
  }

  private String readHeaders() throws IOException {
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    while (true) {
      if (!available(2)) {
        throw new MalformedException("the multipart body ends inside a part's headers");
      }
      if (buf[pos] == '\r' && buf[pos + 1] == '\n') {
        pos += 2;
        return headers.toString(StandardCharsets.UTF_8);
      }
      while (true) {
        if (!available(1)) {
          throw new MalformedException("the multipart body ends inside a part's headers");
        }
        byte b = buf[pos++];
        headers.write(b);
        if (headers.size() > MAX_HEADER_BYTES) {
          throw new MalformedException("a part's headers are over " + MAX_HEADER_BYTES + " bytes");
        }
        if (b == '\n') {
          break;
        }
      }
    }
  }

  private static String header(String headers, String name) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** Reads the current part's content; -1 at its end (the boundary is then consumed). */
  private int readPart(byte[] b, int off, int len) throws IOException {
    if (partEnded) {
      return -1;
    }
    while (true) {
      int at = find();
      if (at == pos) {
        pos += delimiter.length;
        partEnded = true;
        return -1;
      }
      int safe = at >= 0 ? at : lim - (delimiter.length - 1);
      if (safe > pos) {
        int n = Math.min(len, safe - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
      }
      if (!fill()) {
        throw new MalformedException(started ? "the multipart body ends inside a part"
            : "the body has no multipart boundary \"" + new String(delimiter, 4, delimiter.length - 4,
                StandardCharsets.ISO_8859_1) + "\"");
      }
    }
  }

  /** The delimiter's index in the buffered bytes, or -1. */
  private int find() {
    int last = lim - delimiter.length;
    outer:
    for (int i = pos; i <= last; i++) {
      if (buf[i] != '\r') {
        continue;
      }
      for (int j = 1; j < delimiter.length; j++) {
        if (buf[i + j] != delimiter[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** At least {@code n} bytes buffered, reading if needed; false if the body ends first. */
  private boolean available(int n) throws IOException {
    while (lim - pos < n) {
      if (!fill()) {
        return false;
      }
    }
    return true;
  }

  /** Reads more: false at the body's end. */
  private boolean fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    if (lim == buf.length) {
      throw new IllegalStateException("buffer full without a boundary"); // cannot happen: delimiter < buffer
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      return false;
    }
    lim += n;
    return true;
  }

  private final class PartStream extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return len == 0 ? 0 : readPart(b, off, len);
    }
  }
}
