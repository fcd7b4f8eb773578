package dev.batchinfer.store.model;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys.StatsField;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.HashMap;
import java.util.Map;

/**
 * What workers report about model versions, for rollouts: per-version item and error counts (the
 * automated rollback reads them), shadow comparisons, and which workers serve which version
 * (sync predict answers 503 when none does).
 */
public final class ModelTelemetry {

  private static final long STATS_TTL_SECONDS = 2 * 24 * 3600;

  private final Redis redis;

  public ModelTelemetry(Redis redis) {
    this.redis = redis;
  }

  private RedisClusterAsyncCommands<String, String> async() {
    return redis.async();
  }

  /**
   * Counts a chunk's items and item errors for a version, in the bucket of the current minute, once
   * per chunk: a chunk delivered again (a worker died before its commit) is not counted again, since
   * the counts drive the automated rollback and the ETA. Callers need not wait: statistics only, and
   * an outage must not hold up a chunk's results. Buckets and the counted-chunk marks expire after two days.
   */
  public java.util.concurrent.CompletionStage<Boolean> countItems(String model, String version, String batchId,
      long chunkIndex, int items, int errors, long nowMs) {
    String counted = redis.keys().telemetryCounted(batchId);
    String key = redis.keys().stats(model, version, nowMs / 60_000);
    // Two slots ({batchId} and {model}), so not one script: a crash between the mark and the count
    // loses one chunk's statistics, the lesser error next to counting it twice.
    return async().hsetnx(counted, Long.toString(chunkIndex), "1").thenCompose(first -> {
      if (!Boolean.TRUE.equals(first)) {
        return java.util.concurrent.CompletableFuture.completedFuture(false);
      }
      async().expire(counted, STATS_TTL_SECONDS);
      if (errors > 0) {
        async().hincrby(key, StatsField.ERRORS, errors);
      }
      async().expire(key, STATS_TTL_SECONDS);
      return async().hincrby(key, StatsField.ITEMS, items).thenApply(n -> true);
    });
  }

  /** items and errors counted for a version in the last {@code minutes} whole minutes (this one included). */
  public long[] itemsAndErrors(String model, String version, int minutes, long nowMs) {
    long items = 0;
    long errors = 0;
    long minute = nowMs / 60_000;
    for (long m = minute - minutes + 1; m <= minute; m++) {
      Map<String, String> f = redis.sync().hgetall(redis.keys().stats(model, version, m));
      items += Long.parseLong(f.getOrDefault(StatsField.ITEMS, "0"));
      errors += Long.parseLong(f.getOrDefault(StatsField.ERRORS, "0"));
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
    String key = redis.keys().shadow(model, production, shadow);
    async().hincrby(key, StatsField.COMPARED, compared);
    async().hincrby(key, StatsField.AGREED, agreed);
    confusion.forEach((cell, n) -> async().hincrby(key, StatsField.CELL + cell, n));
  }

  /** compared, agreed, and the confusion cells ("productionLabel\tshadowLabel" → items). */
  public ShadowReport shadowReport(String model, String production, String shadow) {
    Map<String, String> f = redis.sync().hgetall(redis.keys().shadow(model, production, shadow));
    Map<String, Long> cells = new HashMap<>();
    f.forEach((k, v) -> {
      if (k.startsWith(StatsField.CELL)) {
        cells.put(k.substring(StatsField.CELL.length()), Long.parseLong(v));
      }
    });
    return new ShadowReport(production, shadow, Long.parseLong(f.getOrDefault(StatsField.COMPARED, "0")),
        Long.parseLong(f.getOrDefault(StatsField.AGREED, "0")), cells);
  }

  /** A worker says it serves this version now. */
  public void heartbeat(String model, String version, String workerId, long nowMs) {
    async().hset(redis.keys().workers(model, version), workerId, Long.toString(nowMs));
  }

  /** Whether some worker has reported serving the version within {@code freshMs}. */
  public boolean served(String model, String version, long nowMs, long freshMs) {
    for (String seen : redis.sync().hvals(redis.keys().workers(model, version))) {
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
}
