package dev.batchinfer.callback;

/**
 * The root of what the dispatcher throws itself: a webhook body it cannot render. Not retriable: the same event
 * renders the same way. A receiver that refuses or times out is not an exception here but a delivery outcome,
 * and a callback URL that policy rejects is the config module's {@code RejectedCallbackException}.
 */
public class DispatcherException extends RuntimeException {
  public DispatcherException(String message, Throwable cause) {
    super(message, cause);
  }
}
