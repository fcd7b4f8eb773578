package dev.batchinfer.callback.deliver;

import dev.batchinfer.config.callback.CallbackPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 POST to an address the SSRF guard has already checked. Written on a plain socket
 * rather than an HTTP client library because the connection must go to exactly that address (a
 * client would resolve the name again, and DNS rebinding could swap it), while TLS still verifies
 * the certificate against the host name. Redirects are never followed, only the status line and
 * headers are read (at most 16 kB), and every read is bounded by what is left of the total timeout.
 */
public final class HttpPoster {

  static final int MAX_HEADER_BYTES = 16 * 1024;

  private final Duration connectTimeout;
  private final Duration totalTimeout;

  public HttpPoster(Duration connectTimeout, Duration totalTimeout) {
    this.connectTimeout = connectTimeout;
    this.totalTimeout = totalTimeout;
  }

  public Attempt post(InetAddress address, CallbackPolicy.Target target, Map<String, String> headers, byte[] body) {
    long start = System.nanoTime();
    long deadline = start + totalTimeout.toNanos();
    try (Socket socket = connect(address, target, deadline)) {
      OutputStream out = socket.getOutputStream();
      out.write(requestHead(target, headers, body.length));
      out.write(body);
      out.flush();
      return readResponse(socket, deadline, start);
    } catch (SocketTimeoutException e) {
      return Attempt.failed("timed out after " + totalTimeout.toMillis() + " ms", since(start));
    } catch (IOException e) {
      String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
      return Attempt.failed(what, since(start));
    }
  }

  private Socket connect(InetAddress address, CallbackPolicy.Target target, long deadline) throws IOException {
    Socket plain = new Socket();
    int connectMs = (int) Math.min(connectTimeout.toMillis(), remainingMs(deadline));
    plain.connect(new InetSocketAddress(address, target.port()), Math.max(1, connectMs));
    plain.setSoTimeout(remainingMs(deadline));
    if (!target.tls()) {
      return plain;
    }
    SSLSocket tls;
    try {
      tls = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, target.host(), target.port(), true);
    } catch (NoSuchAlgorithmException e) {
      plain.close();
      throw new IOException("no TLS available", e);
    }
    SSLParameters params = tls.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
    if (!target.host().contains(":") && !Character.isDigit(target.host().charAt(target.host().length() - 1))) {
      params.setServerNames(List.of(new SNIHostName(target.host())));
    }
    tls.setSSLParameters(params);
    tls.setSoTimeout(remainingMs(deadline));
    tls.startHandshake();
    return tls;
  }

  private static byte[] requestHead(CallbackPolicy.Target target, Map<String, String> headers, int length) {
    boolean defaultPort = target.port() == (target.tls() ? 443 : 80);
    String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
    StringBuilder head = new StringBuilder(256);
    head.append("POST ").append(target.pathAndQuery()).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append(defaultPort ? "" : ":" + target.port()).append("\r\n")
        .append("Content-Type: application/json\r\n")
        .append("Content-Length: ").append(length).append("\r\n")
        .append("User-Agent: batch-inference-webhooks/1\r\n")
        .append("Connection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    return head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  private Attempt readResponse(Socket socket, long deadline, long start) throws IOException {
    InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 1024);
    ByteArrayOutputStream head = new ByteArrayOutputStream(512);
    int last4 = 0;
    while (last4 != 0x0D0A0D0A) { // the blank line that ends the headers
      socket.setSoTimeout(remainingMs(deadline));
      int b = in.read();
      if (b < 0) {
        return Attempt.failed("connection closed before a complete response", since(start));
      }
      head.write(b);
      if (head.size() > MAX_HEADER_BYTES) {
        return Attempt.failed("response headers larger than " + MAX_HEADER_BYTES + " bytes", since(start));
      }
      last4 = (last4 << 8) | b;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/")) {
      return Attempt.failed("not an HTTP response: " + lines[0], since(start));
    }
    int code;
    try {
      code = Integer.parseInt(status[1]);
    } catch (NumberFormatException e) {
      return Attempt.failed("not an HTTP status: " + lines[0], since(start));
    }
    Duration retryAfter = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("Retry-After")) {
        retryAfter = parseRetryAfter(lines[i].substring(colon + 1).trim());
      }
    }
    // The body is not read: the status says everything, and a huge or endless body costs nothing.
    return new Attempt(code, null, since(start), retryAfter);
  }

  /** Retry-After is seconds or an HTTP date (RFC 9110); anything else is ignored. */
  static Duration parseRetryAfter(String value) {
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Duration.ofSeconds(Math.min(seconds, Duration.ofDays(1).toSeconds())) : null;
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT));
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.format.DateTimeParseException notDate) {
        return null;
      }
    }
  }

  private static int remainingMs(long deadline) throws SocketTimeoutException {
    long ms = (deadline - System.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new SocketTimeoutException("total timeout reached");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
