package dev.batchinfer.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The chaos suite's view of one API instance: every call returns status, Retry-After and parsed body. */
public final class Api {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private final String key;

  public Api(String base, String key) {
    this.base = base;
    this.key = key;
  }

  /**
   * The system's Java client on the same API and key, for reading verdicts once the faults are over: it retries
   * a 503 or a lost connection, which this class never does (the fault tests count every raw answer).
   */
  public dev.batchinfer.client.BatchClient client() {
    return dev.batchinfer.client.BatchClient.create(base, key,
        new dev.batchinfer.client.RetryPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(2)));
  }

  /** An answer; status 0 when no answer came (connection refused or reset, timeout). */
  public record Answer(int status, Optional<String> retryAfter, JsonNode body, String error) {
    public String text(String field) {
      return body == null || body.get(field) == null ? null : body.get(field).asText();
    }
  }

  /** POST /v1/batch/predict with a JSON body; an Idempotency-Key if given. */
  public Answer submit(byte[] json, String idempotencyKey) {
    HttpRequest.Builder b = request("/v1/batch/predict").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json));
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return send(b.build());
  }

  /** POST /v1/batch/{id}/items with a JSON body, under its Idempotency-Key. */
  public Answer append(String batchId, byte[] json, String idempotencyKey) {
    return send(request("/v1/batch/" + batchId + "/items").header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofByteArray(json)).build());
  }

  public Answer status(String batchId) {
    return send(request("/v1/batch/" + batchId + "/status").GET().build());
  }

  public Answer get(String path) {
    return send(request(path).GET().build());
  }

  public Answer post(String path, String json) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  public boolean healthy() {
    return get("/health").status() == 200;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Authorization",
        "Bearer " + key);
  }

  private static Answer send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body = null;
      try {
        body = r.body().length == 0 ? null : JSON.readTree(r.body());
      } catch (IOException notJson) {
        // the status says what happened
      }
      return new Answer(r.statusCode(), r.headers().firstValue("Retry-After"), body, null);
    } catch (IOException e) {
      return new Answer(0, Optional.empty(), null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, Optional.empty(), null, "interrupted");
    }
  }
}
