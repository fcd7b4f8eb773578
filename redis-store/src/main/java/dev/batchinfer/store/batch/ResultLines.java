package dev.batchinfer.store.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Works on stored results without parsing them: every line a worker writes begins with
 * {@code {"index":N,}, so the index is read from the line's start.
 */
public final class ResultLines {

  static final String INDEX_PREFIX = "{\"index\":";

  private ResultLines() {}

  /** The item index of one stored result line. */
  public static long indexOf(String line) {
    if (!line.startsWith(INDEX_PREFIX)) {
      throw new IllegalArgumentException("not a result line: " + line.substring(0, Math.min(40, line.length())));
    }
    long n = 0;
    for (int i = INDEX_PREFIX.length(); i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** Calls {@code sink} with each line of {@code ndjson} whose index is in {@code [from, to)}. */
  public static void forEachInRange(String ndjson, long from, long to, Consumer<String> sink) {
    int start = 0;
    while (start < ndjson.length()) {
      int end = ndjson.indexOf('\n', start);
      if (end < 0) {
        end = ndjson.length();
      }
      if (end > start) {
        String line = ndjson.substring(start, end);
        long index = indexOf(line);
        if (index >= from && index < to) {
          sink.accept(line);
        }
      }
      start = end + 1;
    }
  }

  public static List<String> inRange(List<String> chunks, long from, long to) {
    List<String> out = new ArrayList<>();
    for (String chunk : chunks) {
      forEachInRange(chunk, from, to, out::add);
    }
    return out;
  }

  static final String ERROR_CODE = "\"error\":{\"code\":\"";

  /** The error code of a stored line, or null for a line with a result. */
  public static String errorCode(String line) {
    int at = line.indexOf(ERROR_CODE);
    if (at < 0 || line.indexOf("\"result\":") >= 0 && line.indexOf("\"result\":") < at) {
      return null;
    }
    int start = at + ERROR_CODE.length();
    return line.substring(start, line.indexOf('"', start));
  }

  /** Whether an error code means the item never ran (cancelled or expired) rather than failed. */
  public static boolean isWithdrawn(String code) {
    return "cancelled".equals(code) || "expired".equals(code);
  }

  /** {succeeded, failed, cancelled} of a chunk's stored lines, as its chunk-done event counts them. */
  public static int[] count(String ndjson) {
    int[] out = new int[3];
    for (String line : ndjson.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String code = errorCode(line);
      out[code == null ? 0 : isWithdrawn(code) ? 2 : 1]++;
    }
    return out;
  }

  /** The value of a numeric field of a stored line ({@code "parent_index"}), or -1 if absent. */
  public static long longField(String line, String name) {
    String key = "\"" + name + "\":";
    int at = line.indexOf(key);
    if (at < 0) {
      return -1;
    }
    long n = 0;
    for (int i = at + key.length(); i < line.length() && Character.isDigit(line.charAt(i)); i++) {
      n = n * 10 + (line.charAt(i) - '0');
    }
    return n;
  }
}
