package dev.batchinfer.store.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A batch's results with its retries folded in: each item a retry answered reads as the retry's
 * answer, under the parent's index. Works on the stored lines as text, like {@link ResultLines}.
 */
public final class ResultMerge {

  static final String PARENT_INDEX = "parent_index";

  private ResultMerge() {}

  /**
   * A retry batch's line as a line of its parent: {@code index} becomes the parent index, and
   * {@code "retried_in"} names the retry batch; everything else (custom_id, result or error) stays.
   *
   * @return null if the line carries no parent index (not a retry batch's line)
   */
  public static String asParentLine(String childLine, String childBatchId) {
    long parent = ResultLines.longField(childLine, PARENT_INDEX);
    if (parent < 0) {
      return null;
    }
    String field = ",\"" + PARENT_INDEX + "\":" + parent;
    int at = childLine.indexOf(field);
    String rest = childLine.substring(0, at) + childLine.substring(at + field.length());
    int afterIndex = rest.indexOf(',');
    return ResultLines.INDEX_PREFIX + parent + ",\"retried_in\":\"" + childBatchId + "\"" + rest.substring(afterIndex);
  }

  /** The parent index a retry batch's line answers, or -1. */
  public static long parentIndexOf(String childLine) {
    return ResultLines.longField(childLine, PARENT_INDEX);
  }

  /** {@code parentLines} (in index order) with each line whose index has a replacement replaced by it. */
  public static List<String> apply(List<String> parentLines, Map<Long, String> replacements) {
    if (replacements.isEmpty()) {
      return parentLines;
    }
    List<String> out = new ArrayList<>(parentLines.size());
    for (String line : parentLines) {
      String replaced = replacements.get(ResultLines.indexOf(line));
      out.add(replaced != null ? replaced : line);
    }
    return out;
  }

  /**
   * Collects, from one retry batch's stored chunks, the answers for parent indexes in
   * {@code [from, to)}, as parent lines; a later call (a later retry) overrides an earlier one.
   */
  public static void collect(List<String> childChunks, String childBatchId, long from, long to,
      Map<Long, String> replacements) {
    for (String chunk : childChunks) {
      if (chunk == null) {
        continue;
      }
      for (String line : chunk.split("\n")) {
        long parent = line.isEmpty() ? -1 : parentIndexOf(line);
        if (parent >= from && parent < to) {
          replacements.put(parent, asParentLine(line, childBatchId));
        }
      }
    }
  }
}
