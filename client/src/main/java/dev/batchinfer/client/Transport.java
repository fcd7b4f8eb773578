package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends requests asynchronously, again as the {@link RetryPolicy} says (429 and 503 honouring Retry-After, and lost
 * connections), and turns refusals into {@link BatchApiException}s. A body that cannot be sent twice (a stream) is
 * retried only while none of it was read.
 */
final class Transport {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A request's body, made anew for each attempt; {@link #repeatable} false if it can be sent once only. */
  interface Body {
    HttpRequest.BodyPublisher publisher();

    default boolean repeatable() {
      return true;
    }
  }

  /** What a request is: method, path under the base URL, and its headers and body, if any. */
  record Call(String method, String path, String contentType, Body body, String idempotencyKey, String accept,
      String lastEventId) {
    static Call get(String path) {
      return new Call("GET", path, null, null, null, "application/json", null);
    }

    Call accepting(String type) {
      return new Call(method, path, contentType, body, idempotencyKey, type, lastEventId);
    }

    Call resumingAfter(String eventId) {
      return new Call(method, path, contentType, body, idempotencyKey, accept, eventId);
    }
  }

  private final URI base;
  private final String key;
  private final HttpClient http;
  private final RetryPolicy retry;
  private final Duration timeout;

  Transport(URI base, String key, HttpClient http, RetryPolicy retry, Duration timeout) {
    this.base = base;
    this.key = key;
    this.http = http;
    this.retry = retry;
    this.timeout = timeout;
  }

  /** The parsed JSON of a 2xx answer. */
  CompletableFuture<JsonNode> json(Call call) {
    return send(call, HttpResponse.BodyHandlers.ofByteArray(), 1).thenApply(r -> read(r.body()));
  }

  /** A 2xx answer's body as a stream, for answers read as they arrive (NDJSON results, events). */
  CompletableFuture<HttpResponse<InputStream>> stream(Call call) {
    return send(call, HttpResponse.BodyHandlers.ofInputStream(), 1);
  }

  private <T> CompletableFuture<HttpResponse<T>> send(Call call, HttpResponse.BodyHandler<T> handler, int attempt) {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(call.path()))
        .header("Authorization", "Bearer " + key).header("Accept", call.accept());
    if (!"text/event-stream".equals(call.accept())) {
      r.timeout(timeout); // an event stream stays open as long as its batch runs
    }
    if (call.contentType() != null) {
      r.header("Content-Type", call.contentType());
    }
    if (call.idempotencyKey() != null) {
      r.header("Idempotency-Key", call.idempotencyKey());
    }
    if (call.lastEventId() != null) {
      r.header("Last-Event-ID", call.lastEventId());
    }
    r.method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody() : call.body().publisher());
    return http.sendAsync(r.build(), errorsAsBytes(handler)).handle((answer, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Optional<Duration> wait = cause instanceof IOException && repeatable(call)
            ? retry.next(attempt, Optional.empty()) : Optional.empty();
        if (wait.isEmpty()) {
          return CompletableFuture.<HttpResponse<T>>failedFuture(cause instanceof IOException io
              ? new UncheckedIOException(call.method() + " " + call.path() + " failed after " + attempt + " attempts", io)
              : cause);
        }
        return later(wait.get(), () -> send(call, handler, attempt + 1));
      }
      int status = answer.statusCode();
      if (status / 100 == 2) {
        @SuppressWarnings("unchecked")
        HttpResponse<T> ok = (HttpResponse<T>) answer;
        return CompletableFuture.completedFuture(ok);
      }
      byte[] problem = (byte[]) answer.body();
      Optional<Duration> retryAfter = RetryPolicy.parseRetryAfter(answer.headers().firstValue("Retry-After").orElse(null));
      Optional<Duration> wait = RetryPolicy.retriable(status) && repeatable(call)
          ? retry.next(attempt, retryAfter) : Optional.empty();
      if (wait.isEmpty()) {
        return CompletableFuture.<HttpResponse<T>>failedFuture(
            BatchApiException.of(status, readProblem(problem), retryAfter.orElse(null)));
      }
      return later(wait.get(), () -> send(call, handler, attempt + 1));
    }).thenCompose(f -> f);
  }

  private static boolean repeatable(Call call) {
    return call.body() == null || call.body().repeatable();
  }

  /** The 2xx body as the handler reads it; any other as bytes, to read the problem from. */
  private static <T> HttpResponse.BodyHandler<Object> errorsAsBytes(HttpResponse.BodyHandler<T> handler) {
    return info -> {
      @SuppressWarnings("unchecked")
      HttpResponse.BodySubscriber<Object> s = info.statusCode() / 100 == 2
          ? (HttpResponse.BodySubscriber<Object>) handler.apply(info)
          : (HttpResponse.BodySubscriber<Object>) (HttpResponse.BodySubscriber<?>) HttpResponse.BodySubscribers.ofByteArray();
      return s;
    };
  }

  private static <T> CompletableFuture<T> later(Duration wait, java.util.function.Supplier<CompletableFuture<T>> next) {
    return CompletableFuture.supplyAsync(() -> null,
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS)).thenCompose(x -> next.get());
  }

  /** The result of a future, with the exception it failed with (not wrapped). */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  static JsonNode read(byte[] body) {
    try {
      return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the API answered something that is not JSON", e);
    }
  }

  static byte[] write(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readProblem(byte[] body) {
    try {
      return body == null || body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.createObjectNode().put("detail", new String(body, StandardCharsets.UTF_8));
    }
  }
}
