package dev.batchinfer.models;

/** The model artifacts on disk are missing or inconsistent. A configuration error: not retriable. */
public final class ModelCatalogException extends ModelsException {
  public ModelCatalogException(String message) {
    super(message);
  }

  public ModelCatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
