package dev.batchinfer.topics.serde;

/** A record that is not a message of the expected form; it belongs in a dead-letter topic. */
public final class UndecodableRecordException extends RuntimeException {
  public UndecodableRecordException(String reason) {
    super(reason);
  }

  public UndecodableRecordException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
