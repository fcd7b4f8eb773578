package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A finished batch keeps its record and results for its retention, then Redis removes them; a tombstone stays
 * a while longer so reads answer 410 Gone with the date instead of 404.
 */
public final class Retention {

  /** How long a tombstone answers 410 after the batch's data is gone. */
  static final Duration TOMBSTONE = Duration.ofDays(30);

  /** The longest retention a batch may ask for. */
  public static final Duration MAX_RETENTION = Duration.ofDays(90);

  private final Redis redis;
  private final RedisKeys keys;

  public Retention(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Sets the TTLs of every key of a batch that finished at {@code finished}; idempotent. */
  public void schedule(String batchId, String tenant, Duration retention, Instant finished) {
    Instant removal = finished.plus(retention);
    long ttlMs = Math.max(1, Duration.between(Instant.now(), removal).toMillis());
    RedisClusterCommands<String, String> s = redis.sync();
    s.pexpire(keys.batch(batchId), ttlMs);
    // The results hash may not exist yet (a batch that expired queued): create it, so the TTL holds for chunks
    // skipped later.
    s.hset(keys.results(batchId), RedisKeys.TTL_MARKER, "");
    s.pexpire(keys.results(batchId), ttlMs);
    s.pexpire(keys.customIds(batchId), ttlMs);
    s.hset(keys.failedInputs(batchId), RedisKeys.TTL_MARKER, "");
    s.pexpire(keys.failedInputs(batchId), ttlMs);
    s.pexpire(keys.cancelledItems(batchId), ttlMs);
    s.pexpire(keys.parkedChunks(batchId), ttlMs);
    s.pexpire(keys.movedChunks(batchId), ttlMs);
    s.pexpire(keys.appends(batchId), ttlMs);
    s.pexpire(keys.openAiBatch(batchId), ttlMs);
    s.pexpire(keys.openAiLines(batchId), ttlMs);
    s.set(keys.tombstone(batchId), tenant + "|" + removal, SetArgs.Builder.px(ttlMs + TOMBSTONE.toMillis()));
  }

  /** When the tenant's batch was (or will be) removed, if it is a removed batch of that tenant. */
  public Optional<Instant> removedAt(String tenant, String batchId) {
    String t = redis.sync().get(keys.tombstone(batchId));
    if (t == null || !t.startsWith(tenant + "|")) {
      return Optional.empty();
    }
    return Optional.of(Instant.parse(t.substring(tenant.length() + 1)));
  }
}
