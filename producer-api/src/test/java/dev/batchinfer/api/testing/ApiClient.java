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

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public ApiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public Answer post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Answer postWithHeader(String path, String body, String header, String value) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .header(header, value).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public String base() {
    return base;
  }

  public Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public HttpResponse<String> getNdjson(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/x-ndjson").GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
      return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
