package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * An answer of the API that is not a success, with its problem document (RFC 9457): the root of what the client
 * throws for the server's refusals. The subclasses are the answers a caller handles differently.
 */
public class BatchApiException extends RuntimeException {

  private final int status;
  private final JsonNode problem;
  private final Duration retryAfter;

  BatchApiException(int status, JsonNode problem, Duration retryAfter) {
    super(status + " " + text(problem, "title") + ": " + text(problem, "detail"));
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** 400 or 422: the request is wrong; {@link #field()} names what to fix. */
  public static final class Invalid extends BatchApiException {
    Invalid(int status, JsonNode problem) {
      super(status, problem, null);
    }
  }

  /** 401 or 403: the key is missing, unknown or lacks the role. */
  public static final class Unauthorized extends BatchApiException {
    Unauthorized(int status, JsonNode problem) {
      super(status, problem, null);
    }
  }

  /** 404 (no such batch or model for this tenant) or 410 (removed after its retention). */
  public static final class NotFound extends BatchApiException {
    NotFound(int status, JsonNode problem) {
      super(status, problem, null);
    }
  }

  /** 409: the batch's state does not allow it now (already finished, a retry running, a key still held). */
  public static final class Conflict extends BatchApiException {
    Conflict(int status, JsonNode problem, Duration retryAfter) {
      super(status, problem, retryAfter);
    }
  }

  /** 413: the body is over a size limit. */
  public static final class TooLarge extends BatchApiException {
    TooLarge(int status, JsonNode problem) {
      super(status, problem, null);
    }
  }

  /** 429 or 503 after every retry: a rate or quota reached, or Kafka or Redis unavailable for now. */
  public static final class Unavailable extends BatchApiException {
    Unavailable(int status, JsonNode problem, Duration retryAfter) {
      super(status, problem, retryAfter);
    }

    /**
     * A 429's {@code capacity} member: the queues, throughput, estimated wait and the tenant's quota when it was
     * refused, i.e. what it is waiting for. Empty for a 503, or a 429 the API could not add them to.
     */
    public Optional<Capacity> capacity() {
      JsonNode c = problem().get("capacity");
      return c != null && c.isObject() ? Optional.of(Capacity.of(c)) : Optional.empty();
    }
  }

  /** The type an answer maps to. */
  static BatchApiException of(int status, JsonNode problem, Duration retryAfter) {
    return switch (status) {
      case 400, 422 -> new Invalid(status, problem);
      case 401, 403 -> new Unauthorized(status, problem);
      case 404, 410 -> new NotFound(status, problem);
      case 409 -> new Conflict(status, problem, retryAfter);
      case 413 -> new TooLarge(status, problem);
      case 429, 503 -> new Unavailable(status, problem, retryAfter);
      default -> new BatchApiException(status, problem, retryAfter);
    };
  }

  public int status() {
    return status;
  }

  /** The problem's {@code type}, e.g. {@code /problems/invalid_request}. */
  public String type() {
    return text(problem, "type");
  }

  /** The field the problem names, if it names one (a JSON pointer such as {@code /inputs/3/pixels}, or a top-level field's name). */
  public Optional<String> field() {
    return Optional.ofNullable(problem.get("field")).map(JsonNode::asText);
  }

  /** The whole problem document, with its extensions. */
  public JsonNode problem() {
    return problem;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null ? "" : v.asText();
  }
}
