package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What bounds one micro-batch besides its item count: {@code batch_cost: {by: ..., max: N}} in a
 * model's config.yaml. The worker takes items into a batch until the next one would pass {@code max}
 * (a batch always has at least one item, even one that alone costs more).
 *
 * @param by what an item costs
 * @param max the most one batch may cost (>= 1)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchCost(By by, long max) {

  /** How an item's cost is measured, from its encoded payload (the bytes the worker receives). */
  public enum By {
    /** One per item: the batch's item count, as without batch_cost. */
    @JsonProperty("items") ITEMS,
    /** The item's payload bytes (for uint8/float32 the same for every item; for text its UTF-8 length). */
    @JsonProperty("input_bytes") INPUT_BYTES,
    /**
     * Text models only: the whitespace-separated tokens of the UTF-8 text, counted on the bytes with
     * the ASCII whitespace characters as separators. An approximation of a tokenizer's count:
     * non-ASCII spaces (U+00A0, U+3000 ...) do not separate, and scripts written without spaces
     * count a run of text as one token. An item of whitespace only costs 1.
     */
    @JsonProperty("tokens") TOKENS;

    /** The cost of one item whose payload is {@code bytes[offset, offset + length)}; at least 1. */
    public long of(byte[] bytes, int offset, int length) {
      return switch (this) {
        case ITEMS -> 1;
        case INPUT_BYTES -> Math.max(1, length);
        case TOKENS -> Math.max(1, tokens(bytes, offset, length));
      };
    }

    /** The name as config.yaml spells it. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The cost of a model without batch_cost: its items, at most its max_batch_size. */
  public static BatchCost items(int maxBatchSize) {
    return new BatchCost(By.ITEMS, maxBatchSize);
  }

  static int tokens(byte[] bytes, int offset, int length) {
    int tokens = 0;
    boolean inToken = false;
    for (int i = offset; i < offset + length; i++) {
      boolean space = isAsciiWhitespace(bytes[i]);
      if (!space && !inToken) {
        tokens++;
      }
      inToken = !space;
    }
    return tokens;
  }

  private static boolean isAsciiWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
  }

  void validate(String where, InputSpec input) {
    if (by == null) {
      throw new ModelCatalogException(where + ": batching.batch_cost needs \"by\": items, input_bytes or tokens");
    }
    if (max < 1) {
      throw new ModelCatalogException(where + ": batching.batch_cost.max must be >= 1, not " + max);
    }
    if (by == By.TOKENS && input.type() != InputSpec.DType.STRING) {
      throw new ModelCatalogException(where + ": batching.batch_cost by tokens is only for text (string) inputs; this "
          + "model's input is " + input.dtype() + ": use items or input_bytes");
    }
  }
}
