package dev.batchinfer.store.batch;

import static dev.batchinfer.store.RedisKeys.BatchField.*;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Batch records: what was asked (written once, when the batch is recorded), where it stands (the progress
 * topology's projection, see {@link RedisKeys.BatchField#STATUS}), and each tenant's list of them. Recording and
 * deleting a batch also enter and leave it in the queue, the deadlines, the quota and the pending submits.
 */
public final class BatchRecords {

  /** Appends a child id to the record's list once (ARGV[1] the field, ARGV[2] the child); one step, so racing links both land. */
  private static final String LINK_CHILD = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local existing = redis.call('HGET', KEYS[1], ARGV[1])
      if not existing or existing == '' then
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
      end
      for id in string.gmatch(existing, '[^,]+') do
        if id == ARGV[2] then return 0 end
      end
      redis.call('HSET', KEYS[1], ARGV[1], existing .. ',' .. ARGV[2])
      return 1""";

  private final Redis redis;
  private final RedisKeys keys;
  private final BatchQueue queue;
  private final Deadlines deadlines;
  private final CustomIds customIds;
  private final TenantQuota quota;
  private final PendingBatches pending;
  private final Redis.Script linkChild;

  BatchRecords(Redis redis, BatchQueue queue, Deadlines deadlines, CustomIds customIds, TenantQuota quota,
      PendingBatches pending) {
    this.redis = redis;
    this.keys = redis.keys();
    this.queue = queue;
    this.deadlines = deadlines;
    this.customIds = customIds;
    this.quota = quota;
    this.pending = pending;
    this.linkChild = redis.script(LINK_CHILD);
  }

  /** Records a batch whose chunks are already committed (no pending entry); see {@link #create(BatchRecord, PendingBatches.Commit, long)}. */
  public long create(BatchRecord r) {
    return create(r, null, 0);
  }

  /**
   * Records a new batch and says how many unfinished batches stand ahead of it (its queue position
   * for the 202), all in one round trip.
   *
   * @param commit how its chunks will go to Kafka; with it, the record is pending (see {@link PendingBatches})
   *     until confirmed, and due for the sweeper at {@code dueMs}
   */
  public long create(BatchRecord r, PendingBatches.Commit commit, long dueMs) {
    Map<String, String> fields = fields(r);
    // Pipelined: one round trip for all of it. A submit runs this inside its Kafka transaction (or
    // before its one chunk is sent), holding one of the API's few transactional producers, so its
    // latency bounds how many submits a second the API accepts.
    RedisClusterAsyncCommands<String, String> a = redis.async();
    List<RedisFuture<Long>> ahead = queue.countsAhead(a, r.priority(), r.created());
    List<RedisFuture<?>> commands = new ArrayList<>(ahead);
    if (commit != null) {
      fields.put(PENDING, commit.wire);
      commands.add(pending.track(a, r.batchId(), r.tenant(), dueMs));
    }
    String list = keys.tenantBatches(r.tenant());
    commands.addAll(List.of(
        a.hset(keys.batch(r.batchId()), fields),
        customIds.keep(a, r.batchId()),
        a.zadd(list, (double) r.created().toEpochMilli(), r.batchId()),
        // Ids of batches removed by retention fall off the list after the longest retention.
        a.zremrangebyscore(list, Range.create(Double.NEGATIVE_INFINITY,
            (double) r.created().minus(Retention.MAX_RETENTION).toEpochMilli())),
        deadlines.set(a, r.batchId(), r.deadline()),
        queue.join(a, r.batchId(), r.priority(), r.created())));
    Redis.awaitAll(commands);
    return BatchQueue.sum(ahead);
  }

  private static Map<String, String> fields(BatchRecord r) {
    Map<String, String> f = new HashMap<>();
    f.put(BATCH_ID, r.batchId());
    f.put(TENANT, r.tenant());
    f.put(MODEL, r.model());
    f.put(MODEL_VERSION, r.modelVersion());
    f.put(PRIORITY, r.priority().wire());
    f.put(TOTAL, Long.toString(r.total()));
    f.put(CHUNK_STARTS, csv(r.chunkStarts()));
    f.put(CREATED, r.created().toString());
    f.put(ESTIMATED_COMPLETION, r.estimatedCompletion().toString());
    f.put(DEADLINE, r.deadline().toString());
    f.put(RETENTION_MS, Long.toString(r.retention().toMillis()));
    // A record is born queued; every later status is the progress topology's.
    f.put(STATUS, r.status().wire());
    f.put(COMPLETED, Long.toString(r.completed()));
    f.put(FAILED, Long.toString(r.failed()));
    if (r.callbackUrl() != null) {
      f.put(CALLBACK_URL, r.callbackUrl());
      f.put(CALLBACK_EVENTS, String.join(",", r.callbackEvents()));
    }
    if (r.metadataJson() != null) {
      f.put(METADATA, r.metadataJson());
    }
    if (r.steering().open()) {
      f.put(OPEN, "1");
    }
    if (r.steering().runPastDeadline()) {
      f.put(ON_DEADLINE, ON_DEADLINE_RUN);
    }
    if (r.parentBatchId() != null) {
      f.put(PARENT_BATCH_ID, r.parentBatchId());
      f.put(PARENT_STARTS, csv(r.parentStarts()));
    }
    return f;
  }

  /** The batch, if it exists and belongs to {@code tenant}: another tenant's batch looks missing. */
  public Optional<BatchRecord> find(String tenant, String batchId) {
    return find(batchId).filter(r -> r.tenant().equals(tenant));
  }

  public Optional<BatchRecord> find(String batchId) {
    Map<String, String> f = redis.sync().hgetall(keys.batch(batchId));
    if (f == null || f.isEmpty() || !f.containsKey(BATCH_ID)) {
      return Optional.empty();
    }
    return Optional.of(new BatchRecord(
        f.get(BATCH_ID),
        f.getOrDefault(TENANT, ""),
        f.get(MODEL),
        f.get(MODEL_VERSION),
        Priority.fromWire(f.get(PRIORITY)).orElse(Priority.NORMAL),
        Long.parseLong(f.get(TOTAL)),
        longs(f.getOrDefault(CHUNK_STARTS, "")),
        f.get(CALLBACK_URL),
        f.containsKey(CALLBACK_EVENTS) ? List.of(f.get(CALLBACK_EVENTS).split(",")) : BatchEvent.DEFAULT_TYPES,
        f.get(METADATA),
        instant(f.get(CREATED)),
        instant(f.get(ESTIMATED_COMPLETION)),
        instant(f.get(DEADLINE)),
        Duration.ofMillis(Long.parseLong(f.getOrDefault(RETENTION_MS, "0"))),
        BatchStatus.fromWire(f.get(STATUS)),
        Long.parseLong(f.getOrDefault(COMPLETED, "0")),
        Long.parseLong(f.getOrDefault(FAILED, "0")),
        Long.parseLong(f.getOrDefault(CANCELLED, "0")),
        "true".equals(f.get(CANCEL_REQUESTED)),
        instant(f.get(STARTED_AT)),
        instant(f.get(COMPLETED_AT)),
        f.get(PARENT_BATCH_ID),
        longs(f.getOrDefault(PARENT_STARTS, "")),
        f.containsKey(CHILD_BATCH_IDS) ? List.of(f.get(CHILD_BATCH_IDS).split(",")) : List.of(),
        new BatchRecord.Steering("true".equals(f.get(PAUSE_REQUESTED)), f.getOrDefault(HISTORY, "[]"),
            ON_DEADLINE_RUN.equals(f.get(ON_DEADLINE)), Long.parseLong(f.getOrDefault(AFTER_DEADLINE, "-1")),
            Long.parseLong(f.getOrDefault(EXPIRED_ITEMS, "-1")), f.get(EXPIRED_REASON), "1".equals(f.get(OPEN)),
            "1".equals(f.get(FINALIZED)))));
  }

  /** Appends a retry batch to its parent's list of children, once; false if the parent is gone or already lists it. */
  public boolean linkChild(String parentBatchId, String childBatchId) {
    Long linked = linkChild.run(ScriptOutputType.INTEGER, new String[] {keys.batch(parentBatchId)}, CHILD_BATCH_IDS,
        childBatchId);
    return linked != null && linked == 1L;
  }

  /**
   * Batch ids of a tenant, newest first, after the batch {@code after} (exclusive; null: from the
   * newest), at most {@code count}.
   */
  public List<String> listIds(String tenant, String after, int count) {
    RedisClusterCommands<String, String> s = redis.sync();
    long start = 0;
    if (after != null) {
      Long rank = s.zrevrank(keys.tenantBatches(tenant), after);
      if (rank == null) {
        return List.of();
      }
      start = rank + 1;
    }
    return s.zrevrange(keys.tenantBatches(tenant), start, start + count - 1);
  }

  /**
   * Moves an unfinished batch to another priority: its record, then its place in the queues (where it keeps its
   * arrival time). A batch that ended meanwhile is taken off the new queue again, so none is left there.
   */
  public void changePriority(String batchId, Priority from, Priority to, Instant created) {
    redis.sync().hset(keys.batch(batchId), PRIORITY, to.wire());
    redis.sync().zadd(keys.queue(to), (double) created.toEpochMilli(), batchId);
    queue.leave(batchId, from);
    String status = redis.sync().hget(keys.batch(batchId), STATUS);
    if (status == null || BatchStatus.fromWire(status).isFinal()) {
      queue.leave(batchId, to);
    }
  }

  /**
   * A batch that ended (or is being removed) leaves its priority's queue and gives its tenant's quota back;
   * idempotent.
   *
   * @return its tenant, or null if the record is gone
   */
  public String release(String batchId) {
    List<KeyValue<String, String>> f = redis.sync().hmget(keys.batch(batchId), TENANT, PRIORITY);
    if (f.get(1).hasValue()) {
      Priority.fromWire(f.get(1).getValue()).ifPresent(p -> queue.leave(batchId, p));
    }
    if (!f.get(0).hasValue()) {
      return null;
    }
    quota.release(f.get(0).getValue(), batchId);
    return f.get(0).getValue();
  }

  /** Removes every key of the batch: a submit abandoned before it was accepted, or a ghost the sweeper found. */
  public void delete(String batchId) {
    RedisClusterCommands<String, String> s = redis.sync();
    String tenant = release(batchId);
    if (tenant != null) {
      s.zrem(keys.tenantBatches(tenant), batchId);
      pending.forget(batchId, tenant);
    }
    s.del(keys.batch(batchId), keys.results(batchId), keys.customIds(batchId), keys.failedInputs(batchId),
        keys.cancelledItems(batchId), keys.telemetryCounted(batchId), keys.openAiBatch(batchId), keys.openAiLines(batchId),
        keys.parkedChunks(batchId), keys.movedChunks(batchId), keys.appends(batchId));
    deadlines.clear(batchId);
  }

  private static String csv(long[] values) {
    return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(","));
  }

  private static long[] longs(String csv) {
    return csv.isEmpty() ? new long[0] : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
  }

  private static Instant instant(String text) {
    return text == null || text.isEmpty() ? null : Instant.parse(text);
  }
}
