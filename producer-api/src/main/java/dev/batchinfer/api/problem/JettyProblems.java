package dev.batchinfer.api.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors that Jetty answers itself, before a request reaches a route (an ambiguous path such as {@code /..}, a
 * malformed request line, a header too large): problem+json with a request id, like every other error of the API,
 * instead of Jetty's HTML page.
 */
public final class JettyProblems extends ErrorHandler {

  private final ObjectMapper json;

  public JettyProblems(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    int status = response.getStatus();
    Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
    String id = response.getHeader(ProblemRenderer.REQUEST_ID_HEADER);
    if (id == null) {
      id = UUID.randomUUID().toString();
      response.setHeader(ProblemRenderer.REQUEST_ID_HEADER, id);
    }
    byte[] body = body(status, message == null ? null : message.toString(), id);
    response.setContentType(ProblemRenderer.CONTENT_TYPE);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    baseRequest.setHandled(true);
  }

  /** A request Jetty could not even parse: answered by the connection, with no request to hand on. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    String id = UUID.randomUUID().toString();
    fields.put(HttpHeader.CONTENT_TYPE, ProblemRenderer.CONTENT_TYPE);
    fields.put(ProblemRenderer.REQUEST_ID_HEADER, id);
    return ByteBuffer.wrap(body(status, reason, id));
  }

  private byte[] body(int status, String reason, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    String title = HttpStatus.getMessage(status);
    body.put("type", "/problems/http-" + status);
    body.put("title", title == null ? "Error" : title);
    body.put("status", status);
    body.put("detail", (reason == null || reason.isBlank() ? "the server cannot take this request" : reason)
        + (status == 400 ? "; send a path without \".\" or \"..\" segments and well-formed headers" : ""));
    body.put("request_id", requestId);
    try {
      return json.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
