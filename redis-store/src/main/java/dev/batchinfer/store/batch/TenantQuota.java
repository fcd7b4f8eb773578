package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.ScriptOutputType;
import java.util.concurrent.CompletableFuture;

/**
 * Each tenant's queued items (items of its unfinished batches), capped: a batch is counted from before it is
 * accepted until it reaches a final state.
 */
public final class TenantQuota {

  /**
   * Adds a batch to its tenant's queued items, or changes its count (a streamed upload reserves 0
   * while it arrives, then its real count), unless that would pass the cap; in one step, so racing
   * submits cannot both pass. The hash keeps each batch's items and their running total in
   * {@link RedisKeys#QUEUED_TOTAL}, so a submit costs the same however many batches are queued (adding up the
   * values each time made a spike of small batches quadratic in Redis). A hash written before the
   * total existed is added up once.
   */
  private static final String RESERVE = """
      local total = tonumber(redis.call('HGET', KEYS[1], ARGV[4]) or '-1')
      if total < 0 then
        total = 0
        for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
      end
      local others = total - tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
      if others + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return others end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      total = others + tonumber(ARGV[2])
      if total > 0 then redis.call('HSET', KEYS[1], ARGV[4], string.format('%d', total))
      else redis.call('HDEL', KEYS[1], ARGV[4]) end
      return -1""";

  /** Takes a batch off its tenant's queued items; idempotent. The total goes when nothing is left. */
  private static final String RELEASE = """
      local items = redis.call('HGET', KEYS[1], ARGV[1])
      if not items then return 0 end
      redis.call('HDEL', KEYS[1], ARGV[1])
      local total = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '-1')
      if total < 0 then return 1 end
      total = total - tonumber(items)
      if total > 0 then redis.call('HSET', KEYS[1], ARGV[2], string.format('%d', total))
      else redis.call('HDEL', KEYS[1], ARGV[2]) end
      return 1""";

  private final Redis redis;
  private final RedisKeys keys;
  private final Redis.Script reserve;
  private final Redis.Script release;

  public TenantQuota(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
    this.reserve = redis.script(RESERVE);
    this.release = redis.script(RELEASE);
  }

  /**
   * Counts a batch about to be accepted against its tenant's queued items until it reaches a final state, if
   * they stay within {@code cap}.
   *
   * @return -1 if reserved, else the items already queued by other batches
   */
  public long reserve(String tenant, String batchId, long items, long cap) {
    return Redis.await(reserveAsync(tenant, batchId, items, cap));
  }

  /** {@link #reserve}, answered later: a submit checks its rate limit meanwhile. */
  public CompletableFuture<Long> reserveAsync(String tenant, String batchId, long items, long cap) {
    return reserve.<Long>runAsync(ScriptOutputType.INTEGER, new String[] {keys.tenantQueued(tenant)}, batchId,
        Long.toString(items), Long.toString(cap), RedisKeys.QUEUED_TOTAL).thenApply(r -> r == null ? -1 : r);
  }

  /** The tenant's items in unfinished batches now (what counts against its cap). */
  public long queued(String tenant) {
    String total = redis.sync().hget(keys.tenantQueued(tenant), RedisKeys.QUEUED_TOTAL);
    return total == null ? 0 : Long.parseLong(total);
  }

  /** Idempotent: a batch already released (or never reserved) changes nothing. */
  public void release(String tenant, String batchId) {
    release.run(ScriptOutputType.INTEGER, new String[] {keys.tenantQueued(tenant)}, batchId, RedisKeys.QUEUED_TOTAL);
  }
}
