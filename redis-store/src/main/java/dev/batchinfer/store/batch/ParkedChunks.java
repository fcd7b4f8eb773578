package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ZAddArgs;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chunks of paused batches, set aside by the workers that read them, until the batch resumes (or is
 * cancelled or expires, whose workers must then answer them): a Kafka record cannot be skipped and kept, so a
 * paused chunk leaves its partition for Redis and goes back to a request topic on release.
 *
 * <p>Never lost: a worker commits the record's offset only after the chunk is stored here and the pause flag is
 * still set ({@code SkipFlags}); a release deletes a chunk only after its new record is acknowledged. A chunk
 * released and parked again at once, or parked just as its batch resumed, runs twice at worst, which results
 * keyed by item and progress counted by chunk make harmless.
 */
public final class ParkedChunks {

  private final Redis redis;
  private final RedisKeys keys;

  public ParkedChunks(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
  }

  /** Stores a chunk record of a paused batch; the batch joins the release sweep first, so none is missed. */
  public void park(String batchId, int chunkIndex, byte[] record) {
    redis.sync().zadd(keys.parkedBatches(), ZAddArgs.Builder.nx(), (double) System.currentTimeMillis(), batchId);
    Redis.await(redis.binaryAsync().hset(keys.parkedChunks(batchId), Integer.toString(chunkIndex), record));
  }

  /** Takes back a chunk parked just as its batch resumed: the worker runs it instead. */
  public void unpark(String batchId, int chunkIndex) {
    redis.sync().hdel(keys.parkedChunks(batchId), Integer.toString(chunkIndex));
  }

  /** One page of a batch's parked chunks, and where the next begins. */
  public record Page(Map<Integer, byte[]> chunks, ScanCursor next) {
    public boolean last() {
      return next.isFinished();
    }
  }

  /**
   * A page of about {@code size} of the batch's parked chunks, by chunk index, from {@code from}
   * ({@link ScanCursor#INITIAL} for the first): a paused batch may hold thousands of chunks of up to a
   * megabyte each, so a release holds one page at a time. A chunk parked for the whole scan is on some page;
   * one deleted meanwhile may be on none.
   */
  public Page parked(String batchId, ScanCursor from, int size) {
    MapScanCursor<String, byte[]> page = Redis.await(redis.binaryAsync().hscan(keys.parkedChunks(batchId), from,
        ScanArgs.Builder.limit(size)));
    Map<Integer, byte[]> out = new TreeMap<>();
    page.getMap().forEach((field, value) -> {
      if (!field.equals(RedisKeys.TTL_MARKER)) {
        out.put(Integer.parseInt(field), value);
      }
    });
    return new Page(out, page);
  }

  public long count(String batchId) {
    return redis.sync().hlen(keys.parkedChunks(batchId));
  }

  /** These chunks are back on a request topic; the batch leaves the sweep once none is left. */
  public void released(String batchId, Collection<Integer> chunkIndexes) {
    if (!chunkIndexes.isEmpty()) {
      redis.sync().hdel(keys.parkedChunks(batchId), chunkIndexes.stream().map(String::valueOf).toArray(String[]::new));
    }
    if (redis.sync().hlen(keys.parkedChunks(batchId)) == 0) {
      redis.sync().zrem(keys.parkedBatches(), batchId);
    }
  }

  /** Batches that have (or had, until the sweep looks again) parked chunks, oldest first. */
  public List<String> batches(int limit) {
    return redis.sync().zrange(keys.parkedBatches(), 0, limit - 1);
  }

  /** One releaser at a time per batch, for {@code lease}; false if another holds it. */
  public boolean leaseRelease(String batchId, Duration lease) {
    return "OK".equals(redis.sync().set(keys.parkedRelease(batchId), "1", SetArgs.Builder.nx().px(lease.toMillis())));
  }

  /** Keeps the lease for another {@code lease}, between the pages of a long release. */
  public void renewRelease(String batchId, Duration lease) {
    redis.sync().pexpire(keys.parkedRelease(batchId), lease.toMillis());
  }

  public void endRelease(String batchId) {
    redis.sync().del(keys.parkedRelease(batchId));
  }
}
