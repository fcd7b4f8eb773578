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
 * The management server, on its own port: {@code GET /metrics} in the Prometheus text format (for the
 * services that have no HTTP of their own, and for the API so the scrape needs no API key), and the
 * orchestrator's probes: {@code GET /health/live} answers 200 while the process runs, {@code GET
 * /health/ready} 200 when the service's {@link Readiness.Check} says it is ready and 503 otherwise,
 * each with a short JSON body.
 */
public final class MetricsServer implements AutoCloseable {

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  public static final String METRICS_PATH = "/metrics";
  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";
  private static final Readiness.Check STARTING = () -> Readiness.notReady("starting");

  private final HttpServer server;
  private volatile Readiness.Check readiness = STARTING;

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
      MetricsServer started = new MetricsServer(server);
      server.createContext("/", exchange -> started.answer(exchange, metrics));
      // One thread: a scrape is cheap, Prometheus sends one at a time, and a probe reads a flag.
      server.setExecutor(Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metrics-server");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + settings.host() + ":" + settings.port(), e);
    }
  }

  /** What {@code GET /health/ready} asks from now on; until it is set the answer is 503 "starting". */
  public void readiness(Readiness.Check check) {
    this.readiness = check;
  }

  private void answer(HttpExchange exchange, Metrics metrics) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(path.equals(METRICS_PATH) || path.startsWith("/health/") ? 405 : 404, -1);
        return;
      }
      switch (path) {
        case METRICS_PATH -> send(exchange, 200, CONTENT_TYPE, metrics.scrape());
        case LIVE_PATH -> send(exchange, 200, "application/json", "{\"status\":\"live\"}");
        case READY_PATH -> {
          Readiness r = ask(readiness);
          send(exchange, r.ready() ? 200 : 503, "application/json", r.json());
        }
        default -> exchange.sendResponseHeaders(404, -1);
      }
    }
  }

  /** A check that throws is a service that cannot say it is ready. */
  private static Readiness ask(Readiness.Check check) {
    try {
      Readiness r = check.now();
      return r == null ? Readiness.notReady("no answer") : r;
    } catch (RuntimeException e) {
      return Readiness.notReady("readiness check failed: " + e);
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
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
