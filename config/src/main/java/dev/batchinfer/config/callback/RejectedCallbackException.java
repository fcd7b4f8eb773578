package dev.batchinfer.config.callback;

import dev.batchinfer.config.ConfigException;

/**
 * A callback URL that must not be called. The message completes the sentence "callback_url ...".
 * Not retriable, except for its subtype {@link UnresolvedCallbackException}.
 */
public class RejectedCallbackException extends ConfigException {
  public RejectedCallbackException(String message) {
    super(message);
  }
}
