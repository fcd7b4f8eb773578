package dev.batchinfer.store.model;

import dev.batchinfer.store.Redis;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.HashMap;
import java.util.Map;

/**
 * What workers report about model versions, for rollouts: per-version item and error counts (the
 * automated rollback reads them), shadow comparisons, and which workers serve which version
 * (sync predict answers 503 when none does).
 */
public final class ModelTelemetry implements AutoCloseable {

  private final Redis redis;

  private ModelTelemetry(Redis redis) {
    this.redis = redis;
  }

  public static ModelTelemetry connect(String redisUrl, String keyPrefix) {
    return new ModelTelemetry(Redis.connect(redisUrl, keyPrefix));
  }

  private RedisAsyncCommands<String, String> async() {
    return redis.async();
  }

  String statsKey(String model, String version) {
    return redis.prefix() + "stats:{" + model + "}:" + version;
  }

  String shadowKey(String model, String production, String shadow) {
    return redis.prefix() + "shadow:{" + model + "}:" + production + ":" + shadow;
  }

  String workersKey(String model, String version) {
    return redis.prefix() + "workers:{" + model + "}:" + version;
  }

  /**
   * Counts a chunk's items and item errors for a version, in the bucket of the current minute
   * (fire and forget: statistics only). Buckets expire after two days.
   */
  public void countItems(String model, String version, int items, int errors, long nowMs) {
    String key = statsKey(model, version) + ":" + nowMs / 60_000;
    async().hincrby(key, "items", items);
    if (errors > 0) {
      async().hincrby(key, "errors", errors);
    }
    async().expire(key, 2 * 24 * 3600);
  }

  /** items and errors counted for a version in the last {@code minutes} whole minutes (this one included). */
  public long[] itemsAndErrors(String model, String version, int minutes, long nowMs) {
    long items = 0;
    long errors = 0;
    long minute = nowMs / 60_000;
    for (long m = minute - minutes + 1; m <= minute; m++) {
      Map<String, String> f = redis.sync().hgetall(statsKey(model, version) + ":" + m);
      items += Long.parseLong(f.getOrDefault("items", "0"));
      errors += Long.parseLong(f.getOrDefault("errors", "0"));
    }
    return new long[] {items, errors};
  }

  /**
   * Adds one chunk's comparison of a shadow version with production.
   *
   * @param confusion "productionLabel\tshadowLabel" → items
   */
  public void recordShadow(String model, String production, String shadow, int compared, int agreed,
      Map<String, Integer> confusion) {
    String key = shadowKey(model, production, shadow);
    async().hincrby(key, "compared", compared);
    async().hincrby(key, "agreed", agreed);
    confusion.forEach((cell, n) -> async().hincrby(key, "c\t" + cell, n));
  }

  /** compared, agreed, and the confusion cells ("productionLabel\tshadowLabel" → items). */
  public ShadowReport shadowReport(String model, String production, String shadow) {
    Map<String, String> f = redis.sync().hgetall(shadowKey(model, production, shadow));
    Map<String, Long> cells = new HashMap<>();
    f.forEach((k, v) -> {
      if (k.startsWith("c\t")) {
        cells.put(k.substring(2), Long.parseLong(v));
      }
    });
    return new ShadowReport(production, shadow, Long.parseLong(f.getOrDefault("compared", "0")),
        Long.parseLong(f.getOrDefault("agreed", "0")), cells);
  }

  /** A worker says it serves this version now. */
  public void heartbeat(String model, String version, String workerId, long nowMs) {
    async().hset(workersKey(model, version), workerId, Long.toString(nowMs));
  }

  /** Whether some worker has reported serving the version within {@code freshMs}. */
  public boolean served(String model, String version, long nowMs, long freshMs) {
    for (String seen : redis.sync().hvals(workersKey(model, version))) {
      if (nowMs - Long.parseLong(seen) <= freshMs) {
        return true;
      }
    }
    return false;
  }

  /** A shadow version's agreement with production. */
  public record ShadowReport(String production, String shadow, long compared, long agreed, Map<String, Long> confusion) {
    public double agreementRate() {
      return compared == 0 ? 0 : agreed / (double) compared;
    }
  }

  @Override
  public void close() {
    redis.close();
  }
}
