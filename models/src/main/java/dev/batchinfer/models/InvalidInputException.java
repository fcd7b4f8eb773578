package dev.batchinfer.models;

/**
 * One input does not fit the model's schema.
 *
 * @see #pointer() the JSON pointer of the offending value, relative to the input item
 */
public final class InvalidInputException extends ModelsException {
  private final String pointer;

  public InvalidInputException(String pointer, String message) {
    super(message);
    this.pointer = pointer;
  }

  public String pointer() {
    return pointer;
  }
}
