package dev.batchinfer.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The management server: {@code GET /metrics} in the Prometheus text format, on its own port, for
 * the services that have no HTTP of their own and for the API (so the scrape needs no API key).
 */
public final class MetricsServer implements AutoCloseable {

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /** Starts serving {@code metrics}, or returns null when the settings turn the server off. */
  public static MetricsServer start(MetricsSettings settings, Metrics metrics) {
    if (!settings.enabled()) {
      return null;
    }
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
      server.createContext("/metrics", exchange -> answer(exchange, metrics));
      // One thread: a scrape is cheap and Prometheus sends one at a time.
      server.setExecutor(Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metrics-server");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return new MetricsServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + settings.host() + ":" + settings.port(), e);
    }
  }

  private static void answer(HttpExchange exchange, Metrics metrics) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET") || !exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
