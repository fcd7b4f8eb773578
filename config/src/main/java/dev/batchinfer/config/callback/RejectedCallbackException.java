package dev.batchinfer.config.callback;

/**
 * A callback URL that must not be called. The message completes the sentence "callback_url ...".
 * {@code retriable} is true only when the reason may go away by itself (a name that does not
 * resolve yet).
 */
public final class RejectedCallbackException extends RuntimeException {
  private final boolean retriable;

  public RejectedCallbackException(String message) {
    this(message, false);
  }

  public RejectedCallbackException(String message, boolean retriable) {
    super(message);
    this.retriable = retriable;
  }

  public boolean retriable() {
    return retriable;
  }
}
