package dev.batchinfer.api.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes RFC 9457 problem+json bodies, each naming the request id (and the field, when there is one). */
public final class ProblemRenderer {

  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  /** The request attribute naming the problem answered, for the metrics of refused requests. */
  public static final String PROBLEM_TYPE = "problem-type";

  private final ObjectMapper json;

  public ProblemRenderer(ObjectMapper json) {
    this.json = json;
  }

  public void render(Context ctx, ApiException e) {
    ctx.attribute(PROBLEM_TYPE, e.type());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "/problems/" + e.type());
    body.put("title", e.title());
    body.put("status", e.status());
    body.put("detail", e.getMessage());
    body.put("instance", ctx.path());
    body.put("request_id", ctx.res().getHeader(REQUEST_ID_HEADER));
    if (e.field() != null && !e.field().isEmpty()) {
      body.put("field", e.field());
    }
    e.extensions().forEach(body::putIfAbsent);
    if (ctx.path().startsWith("/openai/")) {
      // OpenAI's SDKs read their error from here; the problem's own members stay for everyone else.
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("message", e.getMessage());
      error.put("type", e.status() < 500 ? "invalid_request_error" : "server_error");
      error.put("param", e.field() == null || e.field().isEmpty() ? null : e.field());
      error.put("code", e.type());
      body.put("error", error);
    }
    if (e.retryAfter() != null) {
      ctx.header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    try {
      ctx.status(e.status()).contentType(CONTENT_TYPE).result(json.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
