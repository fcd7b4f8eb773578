package dev.batchinfer.models;

/** A rollout step the deployment cannot take as it stands, such as a rollback with nothing before it. */
public final class RolloutException extends ModelsException {
  public RolloutException(String message) {
    super(message);
  }
}
