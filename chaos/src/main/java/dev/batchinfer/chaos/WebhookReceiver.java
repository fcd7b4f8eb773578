package dev.batchinfer.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.batchinfer.callback.sign.WebhookSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A client's webhook endpoint on loopback: verifies every delivery's signature, answers as the scenario says
 * (200 by default; 500s, a stall past the dispatcher's timeout, 410, 429 with Retry-After), and remembers every
 * attempt, so the checker can count the acknowledged completions per batch, de-duplicated by {@code webhook-id}.
 */
public final class WebhookReceiver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How the receiver answers one attempt: a status, after a delay; Retry-After if set. */
  public record Reply(int status, Duration delay, String retryAfter) {
    /** Closes the connection without an answer, as a receiver that is down or crashing does. */
    public static final int HANG_UP = -1;

    public static Reply ok() {
      return new Reply(200, Duration.ZERO, null);
    }

    public static Reply status(int status) {
      return new Reply(status, Duration.ZERO, null);
    }
  }

  /** One attempt as received, and what it was answered. */
  public record Attempt(String webhookId, String type, String batchId, boolean signatureValid, int answered,
      Instant at) {}

  private final HttpServer server;
  private final WebhookSigner verifier;
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> attemptsById = new ConcurrentHashMap<>();
  private volatile Function<Attempt, Reply> replies = a -> Reply.ok();

  public WebhookReceiver(List<String> secrets) {
    this.verifier = new WebhookSigner(secrets);
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  /** Where batches send their webhooks. */
  public String url() {
    return url("/hook");
  }

  /** Another endpoint of the same receiver (a URL answered 410 is marked gone for good: give it one of its own). */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** From now on, each attempt is answered by {@code replies} (given the attempt and how many of its id came before). */
  public void answer(Function<Attempt, Reply> replies) {
    this.replies = replies;
  }

  /** How many attempts with this webhook-id came so far (this one included while it is answered). */
  public int attemptsOf(String webhookId) {
    return attemptsById.getOrDefault(webhookId, 0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String id = ex.getRequestHeaders().getFirst("webhook-id");
    String ts = ex.getRequestHeaders().getFirst("webhook-timestamp");
    String sig = ex.getRequestHeaders().getFirst("webhook-signature");
    boolean valid = id != null && ts != null && sig != null
        && verifier.verify(id, Long.parseLong(ts), body, sig, Instant.now(), Duration.ofMinutes(5));
    String type = null;
    String batchId = null;
    try {
      JsonNode n = JSON.readTree(body);
      type = n.path("type").asText(null);
      batchId = n.path("data").path("batch_id").asText(null);
    } catch (IOException notJson) {
      // recorded with no type: the checker counts it as a bad delivery
    }
    attemptsById.merge(id == null ? "" : id, 1, Integer::sum);
    Attempt received = new Attempt(id, type, batchId, valid, 0, Instant.now());
    Reply reply = valid ? replies.apply(received) : new Reply(401, Duration.ZERO, null);
    if (!reply.delay().isZero()) {
      Await.pause(reply.delay());
    }
    if (reply.retryAfter() != null) {
      ex.getResponseHeaders().set("Retry-After", reply.retryAfter());
    }
    int status = reply.status();
    if (status == Reply.HANG_UP) { // nothing sent: closing the exchange unanswered drops the connection
      ex.close();
      attempts.add(new Attempt(id, type, batchId, valid, status, received.at()));
      return;
    }
    try {
      ex.sendResponseHeaders(status, -1);
    } catch (IOException dispatcherGaveUp) {
      status = 0; // the dispatcher timed out and closed: not an acknowledgement
    }
    ex.close();
    attempts.add(new Attempt(id, type, batchId, valid, status, received.at()));
  }

  /** Every attempt so far. */
  public List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
