package dev.batchinfer.store.openai;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.RedisKeys.FileField;
import io.lettuce.core.api.sync.RedisSortedSetCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Files uploaded for batches: their metadata and their content, stored as it arrives in pieces of whole lines, so
 * an upload is never held whole and any API instance can read it back. A file is visible only once its last piece
 * is stored; until then its keys expire on their own, so an upload cut off by a dying API leaves nothing for long.
 */
public final class UploadedFiles {

  public static final String UPLOADING = "uploading";
  public static final String PROCESSED = "processed";

  /** A stored file. */
  public record StoredFile(String id, String tenant, String filename, String purpose, long bytes, long lines,
      long createdAtSeconds, int parts) {}

  private final Redis redis;
  private final RedisKeys keys;

  public UploadedFiles(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Starts a file: its keys expire after {@code untilComplete} unless {@link #complete} comes first. */
  public void begin(String id, String tenant, String filename, String purpose, long createdAtSeconds,
      Duration untilComplete) {
    RedisClusterCommands<String, String> s = redis.sync();
    s.hset(keys.file(id), Map.of(FileField.TENANT, tenant, FileField.FILENAME, filename, FileField.PURPOSE, purpose,
        FileField.CREATED_AT, Long.toString(createdAtSeconds), FileField.STATUS, UPLOADING));
    s.pexpire(keys.file(id), untilComplete.toMillis());
  }

  /** Appends one piece of whole lines. */
  public void append(String id, String piece, Duration untilComplete) {
    RedisClusterCommands<String, String> s = redis.sync();
    s.rpush(keys.fileParts(id), piece);
    s.pexpire(keys.fileParts(id), untilComplete.toMillis());
  }

  /** Makes the file visible, kept for {@code retention}. */
  public void complete(String id, String tenant, long bytes, long lines, long createdAtSeconds, Duration retention) {
    RedisClusterCommands<String, String> s = redis.sync();
    s.hset(keys.file(id), Map.of(FileField.BYTES, Long.toString(bytes), FileField.LINES, Long.toString(lines),
        FileField.STATUS, PROCESSED));
    s.pexpire(keys.file(id), retention.toMillis());
    s.pexpire(keys.fileParts(id), retention.toMillis());
    s.zadd(keys.tenantFiles(tenant), createdAtSeconds * 1000.0, id);
  }

  /** The tenant's file, if it is complete and not removed. */
  public Optional<StoredFile> find(String tenant, String id) {
    Map<String, String> h = redis.sync().hgetall(keys.file(id));
    if (h.isEmpty() || !tenant.equals(h.get(FileField.TENANT)) || !PROCESSED.equals(h.get(FileField.STATUS))) {
      return Optional.empty();
    }
    return Optional.of(new StoredFile(id, tenant, h.get(FileField.FILENAME), h.get(FileField.PURPOSE),
        Long.parseLong(h.get(FileField.BYTES)), Long.parseLong(h.get(FileField.LINES)),
        Long.parseLong(h.get(FileField.CREATED_AT)), (int) redis.sync().llen(keys.fileParts(id)).longValue()));
  }

  /** Pieces {@code [from, to)} of the file's content. */
  public List<String> pieces(String id, int from, int to) {
    return to <= from ? List.of() : redis.sync().lrange(keys.fileParts(id), from, to - 1L);
  }

  /** Removes a file (also one still uploading); true if it was the tenant's. */
  public boolean delete(String tenant, String id) {
    RedisClusterCommands<String, String> s = redis.sync();
    String owner = s.hget(keys.file(id), FileField.TENANT);
    if (!tenant.equals(owner)) {
      return false;
    }
    s.del(keys.file(id), keys.fileParts(id));
    s.zrem(keys.tenantFiles(tenant), id);
    return true;
  }

  /** Removes a file that was never completed (its upload failed). */
  public void abandon(String id) {
    redis.sync().del(keys.file(id), keys.fileParts(id));
  }

  /** The tenant's files, newest first, after the file {@code after} (null: from the newest); expired ones drop out. */
  public List<StoredFile> list(String tenant, String after, int limit) {
    return Listing.page(redis.sync(), keys.tenantFiles(tenant), after, limit, id -> find(tenant, id));
  }

  /** Newest-first pages of a sorted set of ids by time, skipping (and dropping) ids whose record is gone. */
  static final class Listing {
    private Listing() {}

    static <T> List<T> page(RedisSortedSetCommands<String, String> s, String key, String after, int limit,
        java.util.function.Function<String, Optional<T>> load) {
      long start = 0;
      if (after != null) {
        Long rank = s.zrevrank(key, after);
        if (rank == null) {
          return List.of();
        }
        start = rank + 1;
      }
      List<T> out = new ArrayList<>();
      while (out.size() < limit) {
        List<String> ids = s.zrevrange(key, start, start + limit - 1);
        if (ids.isEmpty()) {
          break;
        }
        for (String id : ids) {
          Optional<T> found = load.apply(id);
          if (found.isPresent()) {
            if (out.size() < limit) {
              out.add(found.get());
            }
          } else {
            s.zrem(key, id); // expired with its retention
            start--;
          }
        }
        start += ids.size();
      }
      return out;
    }
  }
}
