package dev.batchinfer.api.problem;

import java.time.Duration;
import java.util.Objects;

/**
 * 503: a dependency (Redis, Kafka, the API's own capacity) cannot take the request now. Nothing was
 * accepted, so the client may repeat the request after {@link #retryAfter()}.
 */
public class RetriableApiException extends ApiException {

  public RetriableApiException(String detail, Duration retryAfter) {
    this(detail, retryAfter, null);
  }

  protected RetriableApiException(String detail, Duration retryAfter, Throwable cause) {
    super(503, "unavailable", "The service cannot accept this now", detail, null,
        Objects.requireNonNull(retryAfter, "a retriable error tells the client when to retry"), cause);
  }
}
