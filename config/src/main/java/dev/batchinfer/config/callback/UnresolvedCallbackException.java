package dev.batchinfer.config.callback;

/**
 * A callback host that does not resolve yet: the one refusal that may go away by itself (a DNS
 * record not yet published), so a delivery is retried on its schedule instead of refused.
 */
public final class UnresolvedCallbackException extends RejectedCallbackException {
  public UnresolvedCallbackException(String host) {
    super("host " + host + " does not resolve");
  }
}
