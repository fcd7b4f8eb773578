package dev.batchinfer.topics;

/**
 * The root of what the topic contract throws: a record that does not decode, a state change the
 * batch state machine forbids. Neither is retriable: the same input fails the same way again.
 */
public class TopicsException extends RuntimeException {
  public TopicsException(String message) {
    super(message);
  }

  public TopicsException(String message, Throwable cause) {
    super(message, cause);
  }
}
