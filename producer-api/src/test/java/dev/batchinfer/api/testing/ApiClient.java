package dev.batchinfer.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for API tests: every answer parsed as JSON. */
public final class ApiClient {

  public static final ObjectMapper JSON = new ObjectMapper();

  public record Answer(int status, String contentType, JsonNode body, HttpResponse<String> raw) {}

  /** Keys of the test tenants, and the API_KEYS value that declares them (hashed, as in production). */
  public static final String KEY_A = "test-key-tenant-a";
  public static final String KEY_B = "test-key-tenant-b";
  public static final String KEY_ADMIN = "test-key-ops-admin";
  public static final String API_KEYS = String.join(",",
      dev.batchinfer.api.auth.ApiKeys.entry("tenant-a", false, KEY_A),
      dev.batchinfer.api.auth.ApiKeys.entry("tenant-b", false, KEY_B),
      dev.batchinfer.api.auth.ApiKeys.entry("ops", true, KEY_ADMIN));

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;

  /** A client of tenant-a. */
  public ApiClient(int port) {
    this(port, KEY_A);
  }

  /** @param key the API key to send, or null to send none */
  public ApiClient(int port, String key) {
    this.base = "http://127.0.0.1:" + port;
    this.key = key;
  }

  public ApiClient withKey(String otherKey) {
    return new ApiClient(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey);
  }

  public Answer post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Answer postWithHeader(String path, String body, String header, String value) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .header(header, value).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Submits the batch and returns its id; anything but 202 fails the test with the answer. */
  public String submit(BatchRequest batch) {
    Answer a = post("/v1/batch/predict", batch.json());
    if (a.status() != 202) {
      throw new AssertionError("submit answered " + a.status() + ": " + a.body());
    }
    return a.body().get("batch_id").asText();
  }

  public BatchSnapshot batch(String id) {
    Answer a = get("/v1/batch/" + id + "/status");
    if (a.status() != 200) {
      throw new AssertionError("status of " + id + " answered " + a.status() + ": " + a.body());
    }
    return new BatchSnapshot(id, a.body());
  }

  /** Waits until the batch is final (completed, with errors, failed, cancelled or expired). */
  public BatchSnapshot awaitFinal(String id, Duration atMost) {
    return org.awaitility.Awaitility.await("batch " + id + " final").atMost(atMost)
        .until(() -> batch(id), BatchSnapshot::isFinal);
  }

  public String base() {
    return base;
  }

  public Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public HttpResponse<String> getNdjson(String path) {
    try {
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/x-ndjson").GET();
      if (key != null) {
        r.header("Authorization", "Bearer " + key);
      }
      return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends any request to {@code path} (auth added), e.g. with extra headers or a streamed body. */
  public Answer exchange(String path, java.util.function.UnaryOperator<HttpRequest.Builder> request) {
    return send(request.apply(HttpRequest.newBuilder(URI.create(base + path))));
  }

  /** Streams an NDJSON body (made as it is sent, e.g. millions of lines) to {@code path}. */
  public Answer postNdjson(String path, java.util.function.Supplier<java.io.InputStream> body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofInputStream(body)), Duration.ofMinutes(5));
  }

  /** Posts a small NDJSON body. */
  public Answer postNdjson(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private Answer send(HttpRequest.Builder request) {
    return send(request, Duration.ofSeconds(60));
  }

  private Answer send(HttpRequest.Builder request, Duration timeout) {
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try {
      HttpResponse<String> r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
      return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
