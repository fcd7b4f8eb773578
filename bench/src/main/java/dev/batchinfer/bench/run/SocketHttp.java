package dev.batchinfer.bench.run;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking HTTP/1.1 client: one kept-alive connection per calling thread, the request written
 * with two writes and the answer read on the same thread. The load generator shares two cores with
 * the system it measures; the JDK's client spent about 0.5 ms of CPU a 400 KB submit (its body
 * passed through a reactive pipeline in 16 KB pieces, and every call crossed to its selector and
 * worker threads and back). Plain HTTP only, no redirects, no 100-continue.
 */
final class SocketHttp {

  /** An answer as read: status and body bytes. */
  record Response(int status, byte[] body) {}

  /**
   * A connection idle this long is replaced, not reused: the server may have closed it meanwhile,
   * and a request written into a closed connection could not tell whether it was received.
   * Well under the server's idle timeout (Jetty's default is 30 s).
   */
  private static final long MAX_IDLE_NANOS = 5_000_000_000L;
  private static final int READ_TIMEOUT_MS = 5 * 60 * 1000;

  private final String host;
  private final int port;
  private final ThreadLocal<Connection> connections = new ThreadLocal<>();

  SocketHttp(String base) {
    URI uri = URI.create(base);
    if (!"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("plain http only: " + base);
    }
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
  }

  Response exchange(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
    Connection c = connections.get();
    if (c == null || System.nanoTime() - c.lastUsed > MAX_IDLE_NANOS) {
      if (c != null) {
        c.close();
      }
      c = new Connection(host, port);
      connections.set(c);
    }
    try {
      Response r = c.exchange(method, path, host + ":" + port, headers, body);
      c.lastUsed = System.nanoTime();
      if (c.closeAfter) {
        c.close();
        connections.remove();
      }
      return r;
    } catch (IOException | RuntimeException e) {
      c.close();
      connections.remove();
      throw e;
    }
  }

  private static final class Connection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long lastUsed = System.nanoTime();
    private boolean closeAfter;

    Connection(String host, int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }

    Response exchange(String method, String path, String hostHeader, Map<String, String> headers, byte[] body)
        throws IOException {
      StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: ").append(hostHeader).append("\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();

      String status = line();
      if (!status.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP answer: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      closeAfter = status.startsWith("HTTP/1.0");
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> closeAfter = value.equalsIgnoreCase("close");
          default -> { }
        }
      }
      byte[] answer;
      if (chunked) {
        answer = chunks();
      } else if (length >= 0) {
        answer = in.readNBytes((int) length);
        if (answer.length < length) {
          throw new EOFException("the connection closed within the answer's body");
        }
      } else {
        closeAfter = true; // the body ends with the connection
        answer = in.readAllBytes();
      }
      return new Response(code, answer);
    }

    private byte[] chunks() throws IOException {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semicolon = size.indexOf(';');
        int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          while (!line().isEmpty()) {
            // trailers, if any
          }
          return all.toByteArray();
        }
        byte[] chunk = in.readNBytes(n);
        if (chunk.length < n) {
          throw new EOFException("the connection closed within a chunk");
        }
        all.write(chunk);
        line(); // the CRLF after the chunk
      }
    }

    /** A header line without its CRLF. */
    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException("the connection closed before the answer was complete");
        }
        if (b != '\r') {
          sb.append((char) b);
        }
      }
      return sb.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }
}
