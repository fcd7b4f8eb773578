package dev.batchinfer.store.openai;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.RedisKeys.OpenAiBatchField;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the OpenAI-compatible surface adds to a native batch: the create request as given, the state of its
 * validation, and the table that maps the batch's items back to the input file's lines. Its keys sit under the
 * native batch's hash tag and are removed with the batch ({@code Retention}); a batch refused in validation has
 * no native batch, so its record carries a TTL of its own.
 */
public final class OpenAiBatches {

  public static final String VALIDATING = "validating";
  public static final String FAILED = "failed";
  public static final String ACCEPTED = "accepted";

  /** Lines stored per list element of the line table. */
  public static final int LINES_PER_BLOCK = 1000;

  /**
   * One OpenAI batch as stored.
   *
   * @param fields every field of {@link OpenAiBatchField}, as stored (absent ones missing)
   */
  public record Stored(String batchId, Map<String, String> fields) {
    public String get(String field) {
      return fields.get(field);
    }

    public long number(String field) {
      String v = fields.get(field);
      return v == null ? 0 : Long.parseLong(v);
    }

    public boolean has(String field) {
      return fields.containsKey(field);
    }

    public String tenant() {
      return fields.get(OpenAiBatchField.TENANT);
    }

    public String state() {
      return fields.get(OpenAiBatchField.STATE);
    }
  }

  private final Redis redis;
  private final RedisKeys keys;

  public OpenAiBatches(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Records a create that is being validated; it expires after {@code ttl} unless accepted or failed later. */
  public void begin(String batchId, Map<String, String> fields, long createdAtMs, Duration ttl) {
    RedisClusterCommands<String, String> s = redis.sync();
    s.hset(keys.openAiBatch(batchId), fields);
    s.pexpire(keys.openAiBatch(batchId), ttl.toMillis());
    s.zadd(keys.tenantOpenAiBatches(fields.get(OpenAiBatchField.TENANT)), createdAtMs, batchId);
  }

  /** Appends a block of the line table (kept until {@code ttl} unless the batch is accepted). */
  public void appendLines(String batchId, String block, Duration ttl) {
    RedisClusterCommands<String, String> s = redis.sync();
    s.rpush(keys.openAiLines(batchId), block);
    s.pexpire(keys.openAiLines(batchId), ttl.toMillis());
  }

  /** Its native batch is queued: kept from now on like the batch, whose retention then removes both. */
  public void accepted(String batchId, Map<String, String> fields) {
    Map<String, String> update = new HashMap<>(fields);
    update.put(OpenAiBatchField.STATE, ACCEPTED);
    RedisClusterCommands<String, String> s = redis.sync();
    s.hset(keys.openAiBatch(batchId), update);
    s.persist(keys.openAiBatch(batchId));
    s.persist(keys.openAiLines(batchId));
  }

  /** Validation refused it: nothing was queued; the record stays for {@code retention}. */
  public void failed(String batchId, String errorsJson, long failedAtSeconds, Duration retention) {
    RedisClusterCommands<String, String> s = redis.sync();
    s.hset(keys.openAiBatch(batchId), Map.of(OpenAiBatchField.STATE, FAILED, OpenAiBatchField.ERRORS, errorsJson,
        OpenAiBatchField.FAILED_AT, Long.toString(failedAtSeconds)));
    s.pexpire(keys.openAiBatch(batchId), retention.toMillis());
    s.del(keys.openAiLines(batchId));
  }

  /** Sets fields of an existing record (final counts, a cancel's time, a deleted file); nothing if it is gone. */
  public void update(String batchId, Map<String, String> fields) {
    RedisClusterCommands<String, String> s = redis.sync();
    if (s.exists(keys.openAiBatch(batchId)) == 1) {
      s.hset(keys.openAiBatch(batchId), fields);
    }
  }

  public Optional<Stored> find(String tenant, String batchId) {
    Map<String, String> h = redis.sync().hgetall(keys.openAiBatch(batchId));
    if (h.isEmpty() || !tenant.equals(h.get(OpenAiBatchField.TENANT))) {
      return Optional.empty();
    }
    return Optional.of(new Stored(batchId, h));
  }

  public int lineBlocks(String batchId) {
    return (int) redis.sync().llen(keys.openAiLines(batchId)).longValue();
  }

  public List<String> lineBlocks(String batchId, int from, int to) {
    return to <= from ? List.of() : redis.sync().lrange(keys.openAiLines(batchId), from, to - 1L);
  }

  /** The tenant's OpenAI batches, newest first, after {@code after}. */
  public List<Stored> list(String tenant, String after, int limit) {
    return UploadedFiles.Listing.page(redis.sync(), keys.tenantOpenAiBatches(tenant), after, limit,
        id -> find(tenant, id));
  }
}
