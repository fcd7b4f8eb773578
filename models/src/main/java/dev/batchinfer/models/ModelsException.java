package dev.batchinfer.models;

/**
 * The root of what the model catalogue throws: artifacts missing or inconsistent, an input that
 * does not fit the model's signature, a rollout step the deployment cannot take. None is
 * retriable: each needs a different input or a fixed deployment.
 */
public class ModelsException extends RuntimeException {
  public ModelsException(String message) {
    super(message);
  }

  public ModelsException(String message, Throwable cause) {
    super(message, cause);
  }
}
