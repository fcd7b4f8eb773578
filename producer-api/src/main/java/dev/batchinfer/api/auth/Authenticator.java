package dev.batchinfer.api.auth;

import dev.batchinfer.observability.LogContext;
import dev.batchinfer.api.problem.ApiException;
import io.javalin.http.Context;

/** Every /v1 request names its API key: {@code Authorization: Bearer <key>}. */
public final class Authenticator {

  private static final String ATTRIBUTE = "principal";

  private final ApiKeys keys;

  public Authenticator(ApiKeys keys) {
    this.keys = keys;
  }

  /** A before-handler: 401 problem unless the request carries a known key. */
  public void authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    Principal p = key == null || key.isEmpty() ? null : keys.lookup(key).orElse(null);
    if (p == null) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiException(401, "unauthorized", "Unauthorized", key == null
          ? "send your API key as Authorization: Bearer <key>" : "this API key is not valid", null, null);
    }
    ctx.attribute(ATTRIBUTE, p);
    LogContext.put(LogContext.TENANT, p.tenant());
  }

  public static Principal principal(Context ctx) {
    Principal p = ctx.attribute(ATTRIBUTE);
    if (p == null) {
      throw new IllegalStateException("route " + ctx.path() + " is not behind the authenticator");
    }
    return p;
  }

  /** 403 unless the caller's key has the admin role. */
  public static void requireAdmin(Context ctx) {
    if (!principal(ctx).admin()) {
      throw new ApiException(403, "forbidden", "Forbidden", "registry changes need an API key with the admin role",
          null, null);
    }
  }
}
