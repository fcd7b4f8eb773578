package dev.batchinfer.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that answers each request with the next answer a test scripted (500 when none is left),
 * and records what it was sent: method, path with its query, the headers the client sets, and the body.
 */
final class ScriptedServer implements AutoCloseable {

  record Scripted(int status, Map<String, String> headers, String body) {}

  final Deque<Scripted> script = new ArrayDeque<>();
  final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  ScriptedServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::answer);
    server.start();
  }

  /** A client of this server, three attempts 10 ms apart at first. */
  BatchClient client() {
    return BatchClient.create("http://127.0.0.1:" + server.getAddress().getPort(), "k",
        new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)));
  }

  private synchronized void answer(HttpExchange ex) throws IOException {
    byte[] request = ex.getRequestBody().readAllBytes();
    seen.add(Map.of("idempotency", String.valueOf(ex.getRequestHeaders().getFirst("Idempotency-Key")),
        "authorization", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")),
        "last-event-id", String.valueOf(ex.getRequestHeaders().getFirst("Last-Event-ID")),
        "content-type", String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")),
        "method", ex.getRequestMethod(), "path", ex.getRequestURI().toString(),
        "body", new String(request, StandardCharsets.UTF_8)));
    Scripted s = script.isEmpty() ? new Scripted(500, Map.of(), "{}") : script.poll();
    s.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(s.status(), body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  /** A problem document of {@code status}, naming {@code field} unless it is null. */
  static String problem(int status, String field) {
    return "{\"type\":\"/problems/x\",\"title\":\"t\",\"status\":" + status + ",\"detail\":\"d\""
        + (field == null ? "" : ",\"field\":\"" + field + "\"") + "}";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
