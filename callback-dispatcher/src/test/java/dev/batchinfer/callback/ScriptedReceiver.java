package dev.batchinfer.callback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** A local webhook receiver that answers from a script and records what it received, and when. */
final class ScriptedReceiver implements AutoCloseable {

  /** One scripted answer. */
  record Reply(int status, Map<String, String> headers, Behaviour behaviour) {
    static Reply status(int status) {
      return new Reply(status, Map.of(), Behaviour.NORMAL);
    }

    static Reply status(int status, String header, String value) {
      return new Reply(status, Map.of(header, value), Behaviour.NORMAL);
    }
  }

  enum Behaviour { NORMAL, STALL, HUGE_BODY }

  record Received(long atNanos, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  static final long HUGE_BODY_BYTES = 512L * 1024 * 1024;

  private final HttpServer server;
  private final Deque<Reply> script = new ArrayDeque<>();
  private final Reply otherwise;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final CountDownLatch released = new CountDownLatch(1);
  final AtomicLong hugeBytesWritten = new AtomicLong();
  /** Set when a huge body stopped: written whole, or cut off because the client hung up. */
  final AtomicBoolean hugeBodyEnded = new AtomicBoolean();

  ScriptedReceiver(String address, Reply otherwise, Reply... first) {
    this.otherwise = otherwise;
    script.addAll(List.of(first));
    try {
      server = HttpServer.create(new InetSocketAddress(address, 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    received.add(new Received(System.nanoTime(), Map.copyOf(exchange.getRequestHeaders()), body));
    Reply reply;
    synchronized (script) {
      reply = script.isEmpty() ? otherwise : script.poll();
    }
    reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    switch (reply.behaviour()) {
      case STALL -> awaitRelease();
      case HUGE_BODY -> streamHugeBody(exchange, reply.status());
      default -> exchange.sendResponseHeaders(reply.status(), -1);
    }
    exchange.close();
  }

  private void awaitRelease() {
    try {
      released.await(30, TimeUnit.SECONDS); // bounded: the test ends long before
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void streamHugeBody(HttpExchange exchange, int status) {
    byte[] block = new byte[64 * 1024];
    try {
      exchange.sendResponseHeaders(status, 0);
      OutputStream out = exchange.getResponseBody();
      while (hugeBytesWritten.get() < HUGE_BODY_BYTES) {
        out.write(block);
        hugeBytesWritten.addAndGet(block.length);
      }
    } catch (IOException expected) {
      // the dispatcher hung up without reading the body: what we want
    } finally {
      hugeBodyEnded.set(true);
    }
  }

  String url(String path) {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}
