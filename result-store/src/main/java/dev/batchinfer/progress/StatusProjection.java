package dev.batchinfer.progress;

import static dev.batchinfer.store.RedisKeys.BatchField.*;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.progress.ProgressUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
    if (!u.history().isEmpty()) {
      fields.put(HISTORY, history(u.history()));
    }
    if (u.deadline().passedAtMs() > 0) {
      fields.put(AFTER_DEADLINE, Long.toString(u.deadline().answeredAfter()));
    }
    if (u.status() == dev.batchinfer.topics.message.BatchStatus.EXPIRED) {
      fields.put(EXPIRED_ITEMS, Long.toString(u.deadline().expiredItems()));
      if (u.deadline().expiredReason() != null) {
        fields.put(EXPIRED_REASON, u.deadline().expiredReason());
      }
    }
    redis.sync().hset(keys.batch(u.batchId()), fields);
    if (!u.status().isFinal()) {
      return;
    }
    String tenant = stores.records().release(u.batchId());
    String retention = redis.sync().hget(keys.batch(u.batchId()), RETENTION_MS);
    if (retention != null) {
      stores.retention().schedule(u.batchId(), tenant == null ? "" : tenant, Duration.ofMillis(Long.parseLong(retention)),
          u.completedAt() != null ? u.completedAt() : Instant.now());
    }
  }

  /** The history as the status shows it: [{"change":"paused","at":"2026-…"}, …]. */
  static String history(java.util.List<BatchProgress.Change> changes) {
    var array = dev.batchinfer.topics.serde.JsonSerde.MAPPER.createArrayNode();
    for (BatchProgress.Change c : changes) {
      var entry = array.addObject().put("change", c.change()).put("at", Instant.ofEpochMilli(c.atMs()).toString());
      if (c.from() != null) {
        entry.put("from", c.from()).put("to", c.to());
      }
    }
    return array.toString();
  }
}
