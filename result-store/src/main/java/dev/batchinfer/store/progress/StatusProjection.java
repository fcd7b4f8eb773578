package dev.batchinfer.store.progress;

import static dev.batchinfer.store.RedisKeys.BatchField.*;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.progress.ProgressUpdate;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.KeyValue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes where a batch stands, as the progress topology computed it, into the batch's record: the only writer of
 * its status and counts. A final status also takes the batch off the queue and its tenant's quota and sets its
 * retention. Every write is absolute and idempotent, so a replay writes the same thing again.
 */
public final class StatusProjection implements Consumer<ProgressUpdate> {

  private final Redis redis;
  private final RedisKeys keys;
  private final BatchStores stores;

  public StatusProjection(BatchStores stores) {
    this.redis = stores.redis();
    this.keys = redis.keys();
    this.stores = stores;
  }

  @Override
  public void accept(ProgressUpdate u) {
    Map<String, String> fields = new HashMap<>();
    fields.put(STATUS, u.status().wire());
    fields.put(COMPLETED, Long.toString(u.completed()));
    fields.put(FAILED, Long.toString(u.failed()));
    fields.put(CANCELLED, Long.toString(u.cancelled()));
    if (u.startedAt() != null) {
      fields.put(STARTED_AT, u.startedAt().toString());
    }
    if (u.completedAt() != null) {
      fields.put(COMPLETED_AT, u.completedAt().toString());
    }
    redis.sync().hset(keys.batch(u.batchId()), fields);
    if (!u.status().isFinal()) {
      return;
    }
    List<KeyValue<String, String>> f = redis.sync().hmget(keys.batch(u.batchId()), TENANT, RETENTION_MS, PRIORITY);
    if (f.get(2).hasValue()) {
      Priority.fromWire(f.get(2).getValue()).ifPresent(p -> stores.queue().leave(u.batchId(), p));
    }
    if (f.get(0).hasValue()) {
      stores.quota().release(f.get(0).getValue(), u.batchId());
    }
    if (f.get(1).hasValue()) {
      stores.retention().schedule(u.batchId(), f.get(0).getValueOrElse(""),
          Duration.ofMillis(Long.parseLong(f.get(1).getValue())), u.completedAt() != null ? u.completedAt() : Instant.now());
    }
  }
}
