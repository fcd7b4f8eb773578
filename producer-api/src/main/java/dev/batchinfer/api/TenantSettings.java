package dev.batchinfer.api;

import dev.batchinfer.api.auth.ApiKeys;
import dev.batchinfer.api.limits.RateLimiter;
import dev.batchinfer.api.limits.TenantLimits;
import dev.batchinfer.config.Env;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-tenant part of {@link ApiSettings}: who the tenants are (API_KEYS, API_KEYS_FILE) and what each may
 * submit (RATE_*, MAX_QUEUED_ITEMS). Apart because its parsing (positive numbers, a key file) is its own.
 */
final class TenantSettings {

  static final double DEFAULT_RATE_REQUESTS_PER_SECOND = 50;
  /** RATE_REQUESTS_BURST by default: this many seconds of RATE_REQUESTS_PER_SECOND. */
  static final double DEFAULT_RATE_REQUESTS_BURST_SECONDS = 2;
  static final double DEFAULT_RATE_ITEMS_PER_SECOND = 200_000;
  static final double DEFAULT_RATE_ITEMS_BURST = 1_000_000;
  static final double DEFAULT_MAX_QUEUED_ITEMS = 10_000_000;

  private TenantSettings() {}

  static TenantLimits.Settings limits(Env env, int maxBatchItems) {
    double rps = positive(env, "RATE_REQUESTS_PER_SECOND", DEFAULT_RATE_REQUESTS_PER_SECOND);
    double ips = positive(env, "RATE_ITEMS_PER_SECOND", DEFAULT_RATE_ITEMS_PER_SECOND);
    return new TenantLimits.Settings(
        new RateLimiter.Bucket(rps, positive(env, "RATE_REQUESTS_BURST", rps * DEFAULT_RATE_REQUESTS_BURST_SECONDS)),
        // A burst below the largest batch would refuse that batch forever.
        new RateLimiter.Bucket(ips, Math.max(maxBatchItems, positive(env, "RATE_ITEMS_BURST", DEFAULT_RATE_ITEMS_BURST))),
        (long) positive(env, "MAX_QUEUED_ITEMS", DEFAULT_MAX_QUEUED_ITEMS));
  }

  private static double positive(Env env, String name, double fallback) {
    String v = env.string(name, Double.toString(fallback));
    try {
      double d = Double.parseDouble(v);
      if (d > 0) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Env.SettingException(name + " must be a positive number, got '" + v + "'");
  }

  /** API_KEYS (comma-separated) and API_KEYS_FILE (one entry a line, # comments), together. */
  static ApiKeys apiKeys(Env env) {
    List<String> entries = new ArrayList<>(List.of(env.string("API_KEYS", "").split(",")));
    String file = env.string("API_KEYS_FILE", null);
    if (file != null) {
      try {
        Files.readAllLines(Path.of(file)).stream().filter(line -> !line.trim().startsWith("#")).forEach(entries::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read API_KEYS_FILE " + file, e);
      }
    }
    entries.removeIf(String::isBlank);
    if (entries.isEmpty()) {
      throw new Env.SettingException("no API keys: set API_KEYS or API_KEYS_FILE to tenant:user:<sha256 of the key>"
          + " entries (printf '%s' \"$KEY\" | sha256sum)");
    }
    try {
      return new ApiKeys(entries);
    } catch (IllegalArgumentException e) {
      throw new Env.SettingException(e.getMessage());
    }
  }
}
