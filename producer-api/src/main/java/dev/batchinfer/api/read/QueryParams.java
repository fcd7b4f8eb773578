package dev.batchinfer.api.read;

import dev.batchinfer.api.problem.ApiException;
import io.javalin.http.Context;

/** Integer query parameters in a range, refused by name when they are not. */
public final class QueryParams {

  private QueryParams() {}

  public static long longParam(Context ctx, String name, long defaultValue, long min, long max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ApiException.invalid(name, "\"" + name + "\" must be an integer from " + min + " to " + max + ", got \"" + v + "\"");
  }

  /** A page size: 1 to {@code max}. */
  public static int limit(Context ctx, int defaultLimit, int max) {
    return (int) longParam(ctx, "limit", defaultLimit, 1, max);
  }
}
