package dev.batchinfer.store.batch;

/** Why workers skip the remaining chunks of a batch, if they do: each skipped item ends with this error. */
public enum SkipReason {
  /** Run them. */
  NONE(null, null),
  CANCELLED("cancelled", "the batch was cancelled"),
  EXPIRED("expired", "the batch's completion window passed first");

  /** The item error's code. */
  public final String code;
  /** The item error's message. */
  public final String message;

  SkipReason(String code, String message) {
    this.code = code;
    this.message = message;
  }

  public boolean skips() {
    return this != NONE;
  }
}
