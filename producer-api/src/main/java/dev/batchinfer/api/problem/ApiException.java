package dev.batchinfer.api.problem;

import java.time.Duration;

/**
 * The root of this module's errors: one the API answers with an RFC 9457 problem. Carries everything
 * the body needs, so handlers throw and one place renders. Whether the client may retry is carried by
 * the type ({@link RetriableApiException}), never read from the status or the message.
 *
 * @see ProblemRenderer
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String type;
  private final String title;
  private final String field;
  private final Duration retryAfter;
  private final java.util.Map<String, Object> extensions = new java.util.LinkedHashMap<>();

  public ApiException(int status, String type, String title, String detail, String field, Duration retryAfter) {
    this(status, type, title, detail, field, retryAfter, null);
  }

  protected ApiException(int status, String type, String title, String detail, String field, Duration retryAfter,
      Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.type = type;
    this.title = title;
    this.field = field;
    this.retryAfter = retryAfter;
  }

  /** 400, as {@link #invalid} makes it: for a subtype that its own module's code also catches by name. */
  protected ApiException(String field, String detail) {
    this(400, "invalid-request", "The request is not valid", detail, field, null, null);
  }

  /** 400: the request is wrong; {@code field} is a JSON pointer into the body or the parameter name. */
  public static ApiException invalid(String field, String detail) {
    return new ApiException(field, detail);
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not-found", "Not found", what, null, null);
  }

  public static ApiException tooLarge(String field, String detail) {
    return new ApiException(413, "too-large", "The request is too large", detail, field, null);
  }

  /** Adds an RFC 9457 extension member (e.g. the line of an upload that failed). */
  public ApiException with(String member, Object value) {
    extensions.put(member, value);
    return this;
  }

  public java.util.Map<String, Object> extensions() {
    return java.util.Collections.unmodifiableMap(extensions);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public String field() {
    return field;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
