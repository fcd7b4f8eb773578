package dev.batchinfer.api.limits;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.List;

/**
 * Per-tenant token buckets in Redis, shared by every API instance: one for requests, one for
 * submitted items. A bucket refills at its rate up to its burst; a request that finds too few
 * tokens is refused with the time until enough have come back.
 */
public final class RateLimiter {

  /** Refills, then takes {@code cost} tokens if there are enough; returns {allowed, ms to wait}. */
  private static final String TAKE = """
      local rate = tonumber(ARGV[1])
      local burst = tonumber(ARGV[2])
      local now = tonumber(ARGV[3])
      local cost = tonumber(ARGV[4])
      local state = redis.call('HMGET', KEYS[1], ARGV[5], ARGV[6])
      local tokens = tonumber(state[1]) or burst
      local ts = tonumber(state[2]) or now
      tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
      local allowed = 0
      local wait = 0
      if tokens >= cost then
        tokens = tokens - cost
        allowed = 1
      else
        wait = math.ceil((cost - tokens) * 1000 / rate)
      end
      redis.call('HSET', KEYS[1], ARGV[5], tostring(tokens), ARGV[6], now)
      redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
      return {allowed, wait}""";

  /** A bucket's shape: {@code rate} tokens per second, at most {@code burst} saved up. */
  public record Bucket(double rate, double burst) {}

  private final Redis redis;
  private final Redis.Script take;

  public RateLimiter(Redis redis) {
    this.redis = redis;
    this.take = redis.script(TAKE);
  }

  /** Null if allowed, else how long until {@code cost} tokens will be there. */
  public Duration take(String tenant, String bucketName, Bucket bucket, long cost) {
    return Redis.await(takeAsync(tenant, bucketName, bucket, cost));
  }

  /** {@link #take}, answered later: the completed value is null if allowed. */
  public CompletableFuture<Duration> takeAsync(String tenant, String bucketName, Bucket bucket, long cost) {
    return take.<List<Long>>runAsync(ScriptOutputType.MULTI,
        new String[] {redis.keys().rateBucket(tenant, bucketName)},
        Double.toString(bucket.rate()), Double.toString(bucket.burst()), Long.toString(System.currentTimeMillis()),
        Long.toString(cost), RedisKeys.BucketField.TOKENS, RedisKeys.BucketField.TS).thenApply(r -> r.get(0) == 1L ? null : Duration.ofMillis(Math.max(1, r.get(1))));
  }

  /** The tokens a bucket holds now (full when never used), without taking any. */
  public double available(String tenant, String bucketName, Bucket bucket) {
    List<String> state = redis.sync().hmget(redis.keys().rateBucket(tenant, bucketName), RedisKeys.BucketField.TOKENS,
        RedisKeys.BucketField.TS).stream().map(kv -> kv.getValueOrElse(null)).toList();
    if (state.get(0) == null || state.get(1) == null) {
      return bucket.burst();
    }
    long elapsed = Math.max(0, System.currentTimeMillis() - Long.parseLong(state.get(1)));
    return Math.min(bucket.burst(), Double.parseDouble(state.get(0)) + elapsed * bucket.rate() / 1000);
  }

  /** Returns {@code cost} tokens taken for something that was then refused; the next take caps them at the burst. */
  public void giveBack(String tenant, String bucketName, Bucket bucket, long cost) {
    take(tenant, bucketName, bucket, -cost);
  }

  /** Whether Redis answers a PING within its command timeout (for /health). */
  public boolean reachable() {
    try {
      return "PONG".equals(Redis.await(redis.async().ping()));
    } catch (io.lettuce.core.RedisException e) {
      return false;
    }
  }

}
