package dev.batchinfer.api.submit;

import java.util.List;

/**
 * What a streamed (NDJSON or raw) body held.
 *
 * @param duplicates the repeated custom ids, at most {@link NdjsonReader#MAX_DUPLICATES_LISTED} (dry runs only)
 * @param duplicateCount every repeat, listed or not
 */
public record Upload(long items, long chunks, long inputBytes, List<Duplicate> duplicates, long duplicateCount) {

  /** One custom id used twice: {@code line} repeats the id first given on {@code firstLine}. */
  public record Duplicate(String customId, int line, int firstLine) {}
}
