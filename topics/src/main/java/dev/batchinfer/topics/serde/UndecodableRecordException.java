package dev.batchinfer.topics.serde;

import dev.batchinfer.topics.TopicsException;

/** A record that is not a message of the expected form; it belongs in a dead-letter topic. */
public final class UndecodableRecordException extends TopicsException {
  public UndecodableRecordException(String reason) {
    super(reason);
  }

  public UndecodableRecordException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
