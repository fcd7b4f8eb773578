package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The native API from Java. Every submit carries an Idempotency-Key, the same on each of its attempts, so a
 * retry after a 429, a 503 or a lost connection never makes a second batch; refusals surface as
 * {@link BatchApiException}s. Thread-safe; one per process is enough.
 *
 * <pre>{@code
 * BatchClient api = BatchClient.create("http://127.0.0.1:8080", "dev-key");
 * Batch b = api.submit(SubmitOptions.model("fashion-mnist"), inputs);
 * api.awaitFinal(b.id(), Duration.ofMinutes(10));
 * try (Stream<JsonNode> results = api.results(b.id())) { ... }
 * }</pre>
 */
public final class BatchClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Results per page when paging; the API's own maximum is larger. */
  static final int PAGE = 1000;

  private final URI base;
  private final String key;
  private final HttpClient http;
  private final RetryPolicy retry;
  private final Duration timeout;

  private BatchClient(URI base, String key, HttpClient http, RetryPolicy retry, Duration timeout) {
    this.base = base;
    this.key = key;
    this.http = http;
    this.retry = retry;
    this.timeout = timeout;
  }

  public static BatchClient create(String baseUrl, String apiKey) {
    return create(baseUrl, apiKey, RetryPolicy.DEFAULT);
  }

  public static BatchClient create(String baseUrl, String apiKey, RetryPolicy retry) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return new BatchClient(URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/"), apiKey, http, retry,
        Duration.ofMinutes(10));
  }

  /** Submits {@code inputs} (each as the model takes it, e.g. {@code {"pixels": "<base64>"}}) in one JSON body. */
  public Batch submit(SubmitOptions options, List<?> inputs) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", options.model());
    body.set("inputs", JSON.valueToTree(inputs));
    options.fields().forEach((k, v) -> body.set(k, JSON.valueToTree(v)));
    byte[] bytes = write(body);
    return Batch.of(send("POST", "v1/batch/predict", "application/json", () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
        idempotencyKey()));
  }

  /**
   * Streams an NDJSON file (one {@code {"input", "custom_id"}} or bare input a line) as one batch: the file is
   * read as it is sent, never held whole in memory; the options go in the query.
   */
  public Batch submitNdjson(SubmitOptions options, Path file) {
    StringBuilder q = new StringBuilder("v1/batch/predict?model=").append(encode(options.model()));
    options.fields().forEach((k, v) -> q.append('&').append(encode(k)).append('=').append(encode(String.valueOf(v))));
    return Batch.of(send("POST", q.toString(), "application/x-ndjson", () -> {
      try {
        return HttpRequest.BodyPublishers.ofFile(file);
      } catch (java.io.FileNotFoundException e) {
        throw new UncheckedIOException(e);
      }
    }, idempotencyKey()));
  }

  public Batch status(String batchId) {
    return Batch.of(send("GET", "v1/batch/" + encode(batchId) + "/status", null, null, null));
  }

  /** Asks the batch to stop; its finished results stay. */
  public JsonNode cancel(String batchId) {
    return send("POST", "v1/batch/" + encode(batchId) + "/cancel", "application/json",
        () -> HttpRequest.BodyPublishers.ofString("{}"), null);
  }

  /** Polls the status until the batch has ended, and returns it. */
  public Batch awaitFinal(String batchId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 100;
    while (true) {
      Batch b = status(batchId);
      if (b.isFinal()) {
        return b;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("batch " + batchId + " still " + b.status() + " after " + timeout);
      }
      sleep(Duration.ofMillis(pause));
      pause = Math.min(2_000, pause * 2);
    }
  }

  /**
   * Every result line in input order ({@code {"index", "custom_id"?, "result" | "error"}}), fetched a page at a
   * time as the stream is read: memory holds one page, whatever the batch's size.
   */
  public Stream<JsonNode> results(String batchId) {
    Iterator<JsonNode> pages = new Iterator<>() {
      private long offset = 0;
      private Iterator<JsonNode> page = List.<JsonNode>of().iterator();
      private boolean last;

      @Override
      public boolean hasNext() {
        while (!page.hasNext() && !last) {
          JsonNode p = send("GET", "v1/batch/" + encode(batchId) + "/results?offset=" + offset + "&limit=" + PAGE, null,
              null, null);
          List<JsonNode> lines = new ArrayList<>();
          p.path("results").forEach(lines::add);
          page = lines.iterator();
          JsonNode next = p.get("next_offset");
          if (next == null || next.isNull() || lines.isEmpty()) {
            last = true;
          } else {
            offset = next.asLong();
          }
        }
        return page.hasNext();
      }

      @Override
      public JsonNode next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.next();
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** One request, sent again as {@link RetryPolicy} says; the parsed JSON of a 2xx, else the mapped exception. */
  private JsonNode send(String method, String path, String contentType, Supplier<HttpRequest.BodyPublisher> body,
      String idempotencyKey) {
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
          .header("Authorization", "Bearer " + key).header("Accept", "application/json");
      if (contentType != null) {
        r.header("Content-Type", contentType);
      }
      if (idempotencyKey != null) {
        r.header("Idempotency-Key", idempotencyKey);
      }
      r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get());
      HttpResponse<byte[]> answer;
      try {
        answer = http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        Optional<Duration> wait = retry.next(attempt, Optional.empty());
        if (wait.isEmpty()) {
          throw new UncheckedIOException(method + " " + path + " failed after " + attempt + " attempts", e);
        }
        sleep(wait.get());
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      int status = answer.statusCode();
      if (status / 100 == 2) {
        return read(answer.body());
      }
      Optional<Duration> retryAfter = RetryPolicy.parseRetryAfter(answer.headers().firstValue("Retry-After").orElse(null));
      Optional<Duration> wait = RetryPolicy.retriable(status) ? retry.next(attempt, retryAfter) : Optional.empty();
      if (wait.isEmpty()) {
        throw BatchApiException.of(status, readProblem(answer.body()), retryAfter.orElse(null));
      }
      sleep(wait.get());
    }
  }

  private static String idempotencyKey() {
    return UUID.randomUUID().toString();
  }

  private static JsonNode read(byte[] body) {
    try {
      return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the API answered something that is not JSON", e);
    }
  }

  private static JsonNode readProblem(byte[] body) {
    try {
      return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.createObjectNode().put("detail", new String(body, StandardCharsets.UTF_8));
    }
  }

  private static byte[] write(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
