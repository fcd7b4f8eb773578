package dev.batchinfer.worker.infer;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.batchinfer.models.ModelConfig;
import java.util.List;

/**
 * Writes the NDJSON line clients get for one item. Hand-built rather than through an object
 * mapper because it runs once per item on the hot path; labels are escaped once, up front.
 * Every line starts with {@code {"index":N,} (the result store relies on it).
 */
public final class ResultFormatter {

  private final String[] quotedLabels;
  private final int topK;
  private final String versionSuffix;

  public ResultFormatter(ModelConfig config) {
    List<String> labels = config.output().labels();
    this.quotedLabels = labels.stream().map(ResultFormatter::quote).toArray(String[]::new);
    this.topK = Math.min(config.output().topK(), labels.size());
    this.versionSuffix = ",\"model_version\":" + quote(config.version()) + "}}";
  }

  /** The result line for the item at {@code row} of {@code probabilities} (classes per row). */
  public String result(long index, float[] probabilities, int row) {
    int classes = quotedLabels.length;
    int base = row * classes;
    int[] best = topIndexes(probabilities, base, classes, topK);
    StringBuilder out = new StringBuilder(96 + 40 * topK);
    // Formatting a float is the costly part on Java 17: the top score is formatted once for both places.
    String topScore = Float.toString(probabilities[base + best[0]]);
    out.append("{\"index\":").append(index)
        .append(",\"result\":{\"label\":").append(quotedLabels[best[0]])
        .append(",\"class_id\":").append(best[0])
        .append(",\"score\":").append(topScore)
        .append(",\"top_k\":[");
    for (int k = 0; k < best.length; k++) {
      if (k > 0) {
        out.append(',');
      }
      out.append("{\"label\":").append(quotedLabels[best[k]]).append(",\"score\":");
      if (k == 0) {
        out.append(topScore);
      } else {
        out.append(probabilities[base + best[k]]);
      }
      out.append('}');
    }
    return out.append(']').append(versionSuffix).toString();
  }

  /** False if any probability of the row is NaN or infinite: such a row has no valid JSON result. */
  public boolean isFinite(float[] probabilities, int row) {
    int base = row * quotedLabels.length;
    for (int c = 0; c < quotedLabels.length; c++) {
      if (!Float.isFinite(probabilities[base + c])) {
        return false;
      }
    }
    return true;
  }

  /** The line for an item that has no result; {@code code} is machine-readable, message for people. */
  public static String error(long index, String code, String message) {
    return "{\"index\":" + index + ",\"error\":{\"code\":" + quote(code) + ",\"message\":" + quote(message) + "}}";
  }

  /**
   * The line with the item's custom id and parent index (of a retry batch) added after its index;
   * unchanged if it has neither. Every line starts with {@code {"index":N,}, and so does the result.
   */
  public static String withItemFields(String line, String customId, long parentIndex) {
    if (customId == null && parentIndex < 0) {
      return line;
    }
    int at = line.indexOf(',') + 1;
    StringBuilder out = new StringBuilder(line.length() + 48 + (customId == null ? 0 : customId.length()));
    out.append(line, 0, at);
    if (customId != null) {
      out.append("\"custom_id\":").append(quote(customId)).append(',');
    }
    if (parentIndex >= 0) {
      out.append("\"parent_index\":").append(parentIndex).append(',');
    }
    return out.append(line, at, line.length()).toString();
  }

  /** The label of a result line written by {@link #result}, or null for an error line. */
  public static String labelOf(String line) {
    int start = line.indexOf(",\"result\":{\"label\":\"");
    if (start < 0) {
      return null;
    }
    start += ",\"result\":{\"label\":\"".length();
    int end = line.indexOf("\",\"class_id\":", start);
    return end < 0 ? null : line.substring(start, end);
  }

  /** Indexes of the k largest values, largest first; ties keep the lower class id first. */
  static int[] topIndexes(float[] values, int base, int count, int k) {
    int[] best = new int[k];
    int filled = 0;
    for (int c = 0; c < count; c++) {
      float v = values[base + c];
      int at = filled;
      while (at > 0 && values[base + best[at - 1]] < v) {
        at--;
      }
      if (at < k) {
        int end = Math.min(filled, k - 1);
        System.arraycopy(best, at, best, at + 1, end - at);
        best[at] = c;
        filled = Math.min(filled + 1, k);
      }
    }
    return best;
  }

  static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
