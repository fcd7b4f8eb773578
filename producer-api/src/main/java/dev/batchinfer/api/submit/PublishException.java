package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.RetriableApiException;
import java.time.Duration;

/**
 * Kafka did not take a batch's chunks: they were not committed, and nothing of the batch is visible to
 * workers. A one-chunk batch whose acknowledgement timed out is the exception: its record may still
 * have been written. The message is for the log; {@link BatchAcceptor} answers the client in its own words.
 */
public final class PublishException extends RetriableApiException {

  /** About how long a producer takes to find a broker again after a restart or a leader change. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  PublishException(String message, Throwable cause) {
    super(message, RETRY_AFTER, cause);
  }
}
