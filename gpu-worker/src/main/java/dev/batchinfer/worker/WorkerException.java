package dev.batchinfer.worker;

/**
 * The root of what the worker throws itself: a model that answers in a form its config does not describe, a
 * micro-batch for a model it has not loaded. None is retriable by type: the model call is already tried again
 * whatever it throws ({@code ModelCallRetry}), and a Redis or Kafka outage surfaces as the client's own exception.
 */
public class WorkerException extends RuntimeException {
  public WorkerException(String message) {
    super(message);
  }

  public WorkerException(String message, Throwable cause) {
    super(message, cause);
  }
}
