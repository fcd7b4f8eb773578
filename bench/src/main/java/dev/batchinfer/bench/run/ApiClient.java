package dev.batchinfer.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The load generator's view of the API: submit, status, sync predict; every call returns its HTTP status. */
public final class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SocketHttp http;
  private final String key;

  public ApiClient(String base, String key) {
    this.key = key;
    this.http = new SocketHttp(base);
  }

  /** An answer: status code and parsed body (null if it was not JSON). */
  public record Answer(int status, JsonNode body) {
    public String text(String field) {
      return body == null || body.get(field) == null ? null : body.get(field).asText();
    }
  }

  public Answer submit(Bodies.Body body, String modelVersion) {
    return send("POST", "/v1/batch/predict" + body.query(), body.contentType(), modelVersion, body.bytes());
  }

  public Answer status(String batchId) {
    return send("GET", "/v1/batch/" + batchId + "/status", null, null, null);
  }

  public Answer syncPredict(String model, String modelVersion, byte[] body) {
    return send("POST", "/v1/models/" + model + "/predict", "application/json", modelVersion, body);
  }

  public boolean healthy() {
    try {
      return http.exchange("GET", "/health", Map.of(), null).status() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private Answer send(String method, String path, String contentType, String modelVersion, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer " + key);
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    if (modelVersion != null) {
      headers.put("X-Model-Version", modelVersion);
    }
    try {
      SocketHttp.Response r = http.exchange(method, path, headers, body);
      JsonNode parsed = null;
      try {
        parsed = r.body().length == 0 ? null : JSON.readTree(r.body());
      } catch (IOException notJson) {
        // kept null: the status code says what happened
      }
      return new Answer(r.status(), parsed);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + ": " + e.getMessage(), e);
    }
  }
}
