package dev.batchinfer.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The load generator's view of the API: submit, status, sync predict; every call returns its HTTP status. */
public final class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String base;
  private final String key;

  public ApiClient(String base, String key) {
    this.base = base;
    this.key = key;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** An answer: status code and parsed body (null if it was not JSON). */
  public record Answer(int status, JsonNode body) {
    public String text(String field) {
      return body == null || body.get(field) == null ? null : body.get(field).asText();
    }
  }

  public Answer submit(Bodies.Body body, String modelVersion) {
    HttpRequest.Builder b = request("/v1/batch/predict" + body.query()).header("Content-Type", body.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
    if (modelVersion != null) {
      b.header("X-Model-Version", modelVersion);
    }
    return send(b.build());
  }

  public Answer status(String batchId) {
    return send(request("/v1/batch/" + batchId + "/status").GET().build());
  }

  public Answer syncPredict(String model, String modelVersion, byte[] body) {
    HttpRequest.Builder b = request("/v1/models/" + model + "/predict").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (modelVersion != null) {
      b.header("X-Model-Version", modelVersion);
    }
    return send(b.build());
  }

  public boolean healthy() {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
        .header("Authorization", "Bearer " + key);
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body = null;
      try {
        body = r.body().length == 0 ? null : JSON.readTree(r.body());
      } catch (IOException notJson) {
        // kept null: the status code says what happened
      }
      return new Answer(r.statusCode(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
