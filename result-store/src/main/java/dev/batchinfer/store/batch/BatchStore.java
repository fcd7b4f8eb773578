package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.KeyValue;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The Redis schema of batches: records, status and results. Results are stored per chunk (one hash
 * field of NDJSON per chunk), so writing a 1,000-item chunk is one command, not 1,000.
 */
public final class BatchStore implements AutoCloseable {

  private final Redis redis;
  private final RedisKeys keys;
  private final Redis.Script reserve;
  private final Redis.Script release;
  private final Redis.Script cancelItems;
  private final PendingBatches pending;

  private BatchStore(Redis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
    this.pending = new PendingBatches(redis, keys);
    this.reserve = redis.script(RESERVE);
    this.release = redis.script(RELEASE);
    this.cancelItems = redis.script(CANCEL_ITEMS);
  }

  public static BatchStore connect(String redisUrl, String keyPrefix) {
    return new BatchStore(Redis.connect(redisUrl, keyPrefix), new RedisKeys(keyPrefix));
  }

  public RedisKeys keys() {
    return keys;
  }

  /** Submits not yet seen to commit: what the ghost sweeper resolves. */
  public PendingBatches pending() {
    return pending;
  }

  private RedisCommands<String, String> sync() {
    return redis.sync();
  }

  private RedisAsyncCommands<String, String> async() {
    return redis.async();
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
    Map<String, String> fields = new HashMap<>();
    fields.put("batch_id", r.batchId());
    fields.put("tenant", r.tenant());
    fields.put("model", r.model());
    fields.put("model_version", r.modelVersion());
    fields.put("priority", r.priority().wire());
    fields.put("total", Long.toString(r.total()));
    fields.put("chunk_starts", Arrays.stream(r.chunkStarts()).mapToObj(Long::toString).collect(Collectors.joining(",")));
    fields.put("created", r.created().toString());
    fields.put("estimated_completion", r.estimatedCompletion().toString());
    fields.put("deadline", r.deadline().toString());
    fields.put("retention_ms", Long.toString(r.retention().toMillis()));
    fields.put("status", r.status().wire());
    fields.put("completed", Long.toString(r.completed()));
    fields.put("failed", Long.toString(r.failed()));
    if (r.callbackUrl() != null) {
      fields.put("callback_url", r.callbackUrl());
      fields.put("callback_events", String.join(",", r.callbackEvents()));
    }
    if (r.metadataJson() != null) {
      fields.put("metadata", r.metadataJson());
    }
    if (r.parentBatchId() != null) {
      fields.put("parent_batch_id", r.parentBatchId());
      fields.put("parent_starts", Arrays.stream(r.parentStarts()).mapToObj(Long::toString).collect(Collectors.joining(",")));
    }
    // Pipelined: one round trip for all of it. A submit runs this inside its Kafka transaction (or
    // before its one chunk is sent), holding one of the API's few transactional producers, so its
    // latency bounds how many submits a second the API accepts.
    RedisAsyncCommands<String, String> a = async();
    List<io.lettuce.core.RedisFuture<Long>> ahead = countsAhead(a, r.priority(), r.created());
    List<io.lettuce.core.RedisFuture<?>> commands = new ArrayList<>(ahead);
    if (commit != null) {
      fields.put(PendingBatches.FIELD, commit.wire);
      commands.add(pending.track(a, r.batchId(), r.tenant(), dueMs));
    }
    commands.addAll(List.of(
        a.hset(keys.batch(r.batchId()), fields),
        a.persist(keys.customIds(r.batchId())), // kept from now on like the record (see indexCustomIds)
        a.zadd(listKey(r.tenant()), (double) r.created().toEpochMilli(), r.batchId()),
        // Ids of batches removed by retention fall off the list after the longest retention.
        a.zremrangebyscore(listKey(r.tenant()), io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY,
            (double) r.created().minus(MAX_RETENTION).toEpochMilli())),
        a.zadd(deadlinesKey(), (double) r.deadline().toEpochMilli(), r.batchId()),
        a.zadd(queueKey(r.priority()), (double) r.created().toEpochMilli(), r.batchId())));
    await(commands);
    return sum(ahead);
  }

  /** Waits for pipelined commands as a synchronous call would, failing as it would. */
  private static void await(List<io.lettuce.core.RedisFuture<?>> commands) {
    Redis.await(CompletableFuture.allOf(commands.stream().map(f -> f.toCompletableFuture()).toArray(CompletableFuture[]::new)));
  }

  public static final Duration MAX_RETENTION = Duration.ofDays(90);

  /** Unfinished batches of one priority, by arrival: what stands ahead of a batch. */
  private String queueKey(Priority priority) {
    return keys.prefix() + "queue:" + priority.wire();
  }

  /** Unfinished batches that workers serve before this one: every higher priority, and earlier ones of its own. */
  public long batchesAhead(Priority priority, Instant created) {
    // Pipelined: each round trip waits for a thread on a busy host.
    List<io.lettuce.core.RedisFuture<Long>> counts = countsAhead(async(), priority, created);
    await(List.<io.lettuce.core.RedisFuture<?>>copyOf(counts));
    return sum(counts);
  }

  /** Sent, not awaited: one count per priority served before {@code priority}, and the earlier ones of its own. */
  private List<io.lettuce.core.RedisFuture<Long>> countsAhead(RedisAsyncCommands<String, String> a, Priority priority,
      Instant created) {
    List<io.lettuce.core.RedisFuture<Long>> counts = new ArrayList<>();
    for (Priority p : Priority.values()) {
      if (p.ordinal() < priority.ordinal()) {
        counts.add(a.zcard(queueKey(p)));
      }
    }
    counts.add(a.zcount(queueKey(priority),
        io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY, (double) created.toEpochMilli() - 0.5)));
    return counts;
  }

  private static long sum(List<io.lettuce.core.RedisFuture<Long>> counts) {
    return counts.stream().mapToLong(f -> f.toCompletableFuture().join()).sum();
  }

  /** Items still to answer in up to {@code limit} of the batches ahead (the estimate's work ahead). */
  public long itemsAhead(Priority priority, Instant created, int limit) {
    List<String> ids = new ArrayList<>();
    for (Priority p : Priority.values()) {
      if (p.ordinal() < priority.ordinal() && ids.size() < limit) {
        ids.addAll(sync().zrange(queueKey(p), 0, limit - ids.size() - 1));
      }
    }
    if (ids.size() < limit) {
      ids.addAll(sync().zrangebyscore(queueKey(priority),
          io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY, (double) created.toEpochMilli() - 0.5),
          io.lettuce.core.Limit.create(0, limit - ids.size())));
    }
    // Status reads compute this: send every HMGET at once (pipelined), then add up the answers.
    List<java.util.concurrent.CompletableFuture<List<KeyValue<String, String>>>> replies = new ArrayList<>(ids.size());
    for (String id : ids) {
      replies.add(redis.async().hmget(keys.batch(id), "total", "completed", "failed", "cancelled").toCompletableFuture());
    }
    long items = 0;
    for (var reply : replies) {
      List<KeyValue<String, String>> f = reply.join();
      long total = Long.parseLong(f.get(0).getValueOrElse("0"));
      long done = Long.parseLong(f.get(1).getValueOrElse("0")) + Long.parseLong(f.get(2).getValueOrElse("0"))
          + Long.parseLong(f.get(3).getValueOrElse("0"));
      items += Math.max(0, total - done);
    }
    return items;
  }

  private String deadlinesKey() {
    return keys.prefix() + "deadlines";
  }

  /** Batches whose completion window ended by {@code nowMs} (finished ones included), at most {@code limit}. */
  public List<String> pastDeadline(long nowMs, int limit) {
    return sync().zrangebyscore(deadlinesKey(), io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY, (double) nowMs),
        io.lettuce.core.Limit.create(0, limit));
  }

  public void clearDeadline(String batchId) {
    sync().zrem(deadlinesKey(), batchId);
  }

  /** Marks a batch expired for workers (they skip its remaining chunks). */
  public void requestExpiry(String batchId) {
    sync().hset(keys.batch(batchId), "expire_requested", "true");
  }

  /**
   * What workers must skip of a batch.
   *
   * @param reason "cancelled" or "expired" to skip every remaining chunk, null to run them
   * @param itemsCancelled whether some items were cancelled one by one (see {@link #cancelledAmong})
   */
  public record Skips(String reason, boolean itemsCancelled) {
    public static final Skips NONE = new Skips(null, false);
  }

  public Skips skips(String batchId) {
    List<KeyValue<String, String>> f = sync().hmget(keys.batch(batchId), "expire_requested", "cancel_requested",
        "items_cancelled");
    String reason = f.get(0).hasValue() ? "expired" : f.get(1).hasValue() ? "cancelled" : null;
    return reason == null && !f.get(2).hasValue() ? Skips.NONE : new Skips(reason, f.get(2).hasValue());
  }

  /**
   * Marks items cancelled one by one: workers answer them {@code cancelled} if they have not run yet.
   * In one step with the record's state, so the set never outlives it: a batch that went final
   * meanwhile (its retention TTLs already set) passes its TTL on, and a removed batch gets nothing.
   */
  public void cancelItems(String batchId, List<Long> indexes) {
    if (indexes.isEmpty()) {
      return;
    }
    cancelItems.run(io.lettuce.core.ScriptOutputType.INTEGER,
        new String[] {keys.batch(batchId), keys.cancelledItems(batchId)},
        indexes.stream().map(Object::toString).toArray(String[]::new));
  }

  // SADD in slices: Lua's unpack takes a few thousand values at most.
  private static final String CANCEL_ITEMS = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      for i = 1, #ARGV, 1000 do
        redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
      end
      redis.call('HSET', KEYS[1], 'items_cancelled', 'true')
      local ttl = redis.call('PTTL', KEYS[1])
      if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
      return 1
      """;

  /** For each of {@code indexes}, whether that item was cancelled one by one. */
  public boolean[] cancelledAmong(String batchId, long[] indexes) {
    boolean[] out = new boolean[indexes.length];
    List<Boolean> members = sync().smismember(keys.cancelledItems(batchId),
        java.util.Arrays.stream(indexes).mapToObj(Long::toString).toArray(String[]::new));
    for (int i = 0; i < out.length; i++) {
      out[i] = Boolean.TRUE.equals(members.get(i));
    }
    return out;
  }

  /** Which of {@code chunks} have stored results (a worker answered them). */
  public Map<Integer, Boolean> chunksAnswered(String batchId, java.util.Collection<Integer> chunks) {
    Map<Integer, java.util.concurrent.CompletableFuture<Boolean>> replies = new HashMap<>();
    for (int c : chunks) {
      replies.put(c, async().hexists(keys.results(batchId), Integer.toString(c)).toCompletableFuture());
    }
    Map<Integer, Boolean> out = new HashMap<>();
    replies.forEach((c, r) -> out.put(c, r.join()));
    return out;
  }

  /** Appends a retry batch to its parent's list of children. */
  public void linkChild(String parentBatchId, String childBatchId) {
    String existing = sync().hget(keys.batch(parentBatchId), "child_batch_ids");
    sync().hset(keys.batch(parentBatchId), "child_batch_ids",
        existing == null || existing.isEmpty() ? childBatchId : existing + "," + childBatchId);
  }

  /** A short lease so one batch is retried by one request at a time; true if taken. */
  public boolean leaseRetry(String batchId, Duration lease) {
    return "OK".equals(sync().set(keys.batch(batchId) + ":retry-lease", "1",
        io.lettuce.core.SetArgs.Builder.nx().px(lease.toMillis())));
  }

  public void releaseRetry(String batchId) {
    sync().del(keys.batch(batchId) + ":retry-lease");
  }

  /**
   * Stores the encoded inputs of a chunk's items that ended without a result (a chunk record holding
   * only those), so a retry can run them again. {@code ifAbsent}: keep what an earlier delivery of
   * the same chunk stored.
   */
  public CompletionStage<Boolean> writeFailedInputs(String batchId, int chunkIndex, byte[] encoded, boolean ifAbsent) {
    return ifAbsent ? redis.binaryAsync().hsetnx(keys.failedInputs(batchId), Integer.toString(chunkIndex), encoded)
        : redis.binaryAsync().hset(keys.failedInputs(batchId), Integer.toString(chunkIndex), encoded);
  }

  /** The stored failed inputs of chunks {@code [from, to)}, one entry per chunk, null where none is stored. */
  public List<byte[]> readFailedInputs(String batchId, int from, int to) {
    List<byte[]> out = new ArrayList<>();
    if (from >= to) {
      return out;
    }
    String[] fields = new String[to - from];
    for (int i = from; i < to; i++) {
      fields[i - from] = Integer.toString(i);
    }
    for (KeyValue<String, byte[]> kv : redis.binaryAsync().hmget(keys.failedInputs(batchId), fields)
        .toCompletableFuture().join()) {
      out.add(kv.hasValue() ? kv.getValue() : null);
    }
    return out;
  }

  /** The stored results of one chunk, if a worker answered it. */
  public CompletionStage<String> readChunkResults(String batchId, int chunkIndex) {
    return async().hget(keys.results(batchId), Integer.toString(chunkIndex));
  }

  private String listKey(String tenant) {
    return keys.prefix() + "tenant:{" + tenant + "}:batches";
  }

  /**
   * Batch ids of a tenant, newest first, after the batch {@code after} (exclusive; null: from the
   * newest), at most {@code count}.
   */
  public List<String> listIds(String tenant, String after, int count) {
    long start = 0;
    if (after != null) {
      Long rank = sync().zrevrank(listKey(tenant), after);
      if (rank == null) {
        return List.of();
      }
      start = rank + 1;
    }
    return sync().zrevrange(listKey(tenant), start, start + count - 1);
  }

  /** Workers read this flag to skip the rest of a batch the client cancelled. */
  public void requestCancel(String batchId) {
    sync().hset(keys.batch(batchId), "cancel_requested", "true");
  }


  /** Removes every key of the batch: a submit abandoned before it was accepted, or a ghost the sweeper found. */
  public void delete(String batchId) {
    List<KeyValue<String, String>> f = sync().hmget(keys.batch(batchId), "tenant", "priority");
    if (f.get(0).hasValue()) {
      sync().zrem(listKey(f.get(0).getValue()), batchId);
      releaseQueued(f.get(0).getValue(), batchId);
      pending.forget(batchId, f.get(0).getValue());
    }
    if (f.get(1).hasValue()) {
      Priority.fromWire(f.get(1).getValue()).ifPresent(p -> sync().zrem(queueKey(p), batchId));
    }
    sync().del(keys.batch(batchId), keys.results(batchId), keys.customIds(batchId), keys.failedInputs(batchId),
        keys.cancelledItems(batchId), keys.telemetryCounted(batchId));
    sync().zrem(deadlinesKey(), batchId);
  }

  /**
   * Remembers which item each custom id names (for cancelling items by id), while an upload arrives.
   * Until the batch is recorded the index expires after {@code untilRecorded}, so an upload whose API
   * died half-way leaves nothing behind for long; {@link #create} makes it permanent.
   */
  public void indexCustomIds(String batchId, String[] customIds, long[] indexes, Duration untilRecorded) {
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i < customIds.length; i++) {
      if (customIds[i] != null) {
        fields.put(customIds[i], Long.toString(indexes[i]));
      }
    }
    if (!fields.isEmpty()) {
      // Pipelined, like create: it runs per chunk inside the upload's open Kafka transaction.
      RedisAsyncCommands<String, String> a = async();
      await(List.of(a.hset(keys.customIds(batchId), fields), a.pexpire(keys.customIds(batchId), untilRecorded.toMillis())));
    }
  }

  /** The item index of each custom id, null for an id the batch does not have. */
  public List<Long> itemsOfCustomIds(String batchId, List<String> customIds) {
    if (customIds.isEmpty()) {
      return List.of();
    }
    List<Long> out = new ArrayList<>(customIds.size());
    for (KeyValue<String, String> kv : sync().hmget(keys.customIds(batchId), customIds.toArray(String[]::new))) {
      out.add(kv.hasValue() ? Long.parseLong(kv.getValue()) : null);
    }
    return out;
  }

  /** The batch, if it exists and belongs to {@code tenant}: another tenant's batch looks missing. */
  public Optional<BatchRecord> find(String tenant, String batchId) {
    return find(batchId).filter(r -> r.tenant().equals(tenant));
  }

  public Optional<BatchRecord> find(String batchId) {
    Map<String, String> f = sync().hgetall(keys.batch(batchId));
    if (f == null || f.isEmpty() || !f.containsKey("batch_id")) {
      return Optional.empty();
    }
    long[] chunkStarts = longs(f.getOrDefault("chunk_starts", ""));
    return Optional.of(new BatchRecord(
        f.get("batch_id"),
        f.getOrDefault("tenant", ""),
        f.get("model"),
        f.get("model_version"),
        Priority.fromWire(f.get("priority")).orElse(Priority.NORMAL),
        Long.parseLong(f.get("total")),
        chunkStarts,
        f.get("callback_url"),
        f.containsKey("callback_events") ? List.of(f.get("callback_events").split(",")) : BatchEvent.DEFAULT_TYPES,
        f.get("metadata"),
        instant(f.get("created")),
        instant(f.get("estimated_completion")),
        instant(f.get("deadline")),
        Duration.ofMillis(Long.parseLong(f.getOrDefault("retention_ms", "0"))),
        BatchStatus.fromWire(f.get("status")),
        Long.parseLong(f.getOrDefault("completed", "0")),
        Long.parseLong(f.getOrDefault("failed", "0")),
        Long.parseLong(f.getOrDefault("cancelled", "0")),
        "true".equals(f.get("cancel_requested")),
        instant(f.get("started_at")),
        instant(f.get("completed_at")),
        f.get("parent_batch_id"),
        longs(f.getOrDefault("parent_starts", "")),
        f.containsKey("child_batch_ids") ? List.of(f.get("child_batch_ids").split(",")) : List.of()));
  }

  /**
   * Adds a batch to its tenant's queued items, or changes its count (a streamed upload reserves 0
   * while it arrives, then its real count), unless that would pass the cap; in one step, so racing
   * submits cannot both pass. The hash keeps each batch's items and their running total in
   * {@link #TOTAL}, so a submit costs the same however many batches are queued (adding up the
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

  /** The field of a tenant's queued-items hash holding their sum; batch ids are UUIDs, never this. */
  static final String TOTAL = "~total";

  /**
   * Counts a batch about to be accepted against its tenant's queued items (items of unfinished
   * batches) until it reaches a final state, if they stay within {@code cap}.
   *
   * @return -1 if reserved, else the items already queued by other batches
   */
  public long reserveQueued(String tenant, String batchId, long items, long cap) {
    return Redis.await(reserveQueuedAsync(tenant, batchId, items, cap));
  }

  /** {@link #reserveQueued}, answered later: a submit checks its rate limit meanwhile. */
  public CompletableFuture<Long> reserveQueuedAsync(String tenant, String batchId, long items, long cap) {
    return reserve.<Long>runAsync(io.lettuce.core.ScriptOutputType.INTEGER, new String[] {activeKey(tenant)}, batchId,
        Long.toString(items), Long.toString(cap), TOTAL).thenApply(r -> r == null ? -1 : r);
  }

  public void releaseQueued(String tenant, String batchId) {
    release.run(io.lettuce.core.ScriptOutputType.INTEGER, new String[] {activeKey(tenant)}, batchId, TOTAL);
  }

  private String activeKey(String tenant) {
    return keys.prefix() + "tenant:{" + tenant + "}:active";
  }

  public void writeProgress(ProgressUpdate u) {
    Map<String, String> fields = new HashMap<>();
    fields.put("status", u.status().wire());
    fields.put("completed", Long.toString(u.completed()));
    fields.put("failed", Long.toString(u.failed()));
    fields.put("cancelled", Long.toString(u.cancelled()));
    if (u.startedAt() != null) {
      fields.put("started_at", u.startedAt().toString());
    }
    if (u.completedAt() != null) {
      fields.put("completed_at", u.completedAt().toString());
    }
    sync().hset(keys.batch(u.batchId()), fields);
    if (u.status().isFinal()) {
      List<KeyValue<String, String>> f = sync().hmget(keys.batch(u.batchId()), "tenant", "retention_ms", "priority");
      if (f.get(2).hasValue()) {
        Priority.fromWire(f.get(2).getValue()).ifPresent(p -> sync().zrem(queueKey(p), u.batchId()));
      }
      if (f.get(0).hasValue()) {
        releaseQueued(f.get(0).getValue(), u.batchId()); // idempotent, like the rest of this write
      }
      if (f.get(1).hasValue()) {
        scheduleRemoval(u.batchId(), f.get(0).getValueOrElse(""), Duration.ofMillis(Long.parseLong(f.get(1).getValue())),
            u.completedAt() != null ? u.completedAt() : Instant.now());
      }
    }
  }

  /** How long a tombstone answers 410 after the batch's data is gone. */
  static final Duration TOMBSTONE = Duration.ofDays(30);

  /**
   * A finished batch keeps its record and results for its retention, then Redis removes them; a
   * tombstone stays a while longer so reads answer 410 Gone with the date instead of 404.
   */
  private void scheduleRemoval(String batchId, String tenant, Duration retention, Instant finished) {
    Instant removal = finished.plus(retention);
    long ttlMs = Math.max(1, Duration.between(Instant.now(), removal).toMillis());
    sync().pexpire(keys.batch(batchId), ttlMs);
    // The results hash may not exist yet (a batch that expired queued): create it, so the TTL holds
    // for chunks skipped later. The marker field is not a chunk index; readers never ask for it.
    sync().hset(keys.results(batchId), "ttl", "");
    sync().pexpire(keys.results(batchId), ttlMs);
    sync().pexpire(keys.customIds(batchId), ttlMs);
    sync().hset(keys.failedInputs(batchId), "ttl", "");
    sync().pexpire(keys.failedInputs(batchId), ttlMs);
    sync().pexpire(keys.cancelledItems(batchId), ttlMs);
    sync().set(tombstoneKey(batchId), tenant + "|" + removal, io.lettuce.core.SetArgs.Builder.px(ttlMs + TOMBSTONE.toMillis()));
  }

  private String tombstoneKey(String batchId) {
    return keys.prefix() + "gone:{" + batchId + "}";
  }

  /** When the tenant's batch was (or will be) removed, if it is a removed batch of that tenant. */
  public Optional<Instant> removedAt(String tenant, String batchId) {
    String t = sync().get(tombstoneKey(batchId));
    if (t == null || !t.startsWith(tenant + "|")) {
      return Optional.empty();
    }
    return Optional.of(Instant.parse(t.substring(tenant.length() + 1)));
  }

  /** Stores one chunk's results. Asynchronous so a worker keeps many writes in flight (pipelined). */
  public CompletionStage<Boolean> writeChunkResults(String batchId, int chunkIndex, String ndjson) {
    return async().hset(keys.results(batchId), Integer.toString(chunkIndex), ndjson);
  }

  /**
   * Stores a chunk's results only if none are stored yet: a chunk skipped after a cancel must not
   * replace real results that an earlier delivery of the same chunk already wrote.
   */
  public CompletionStage<Boolean> writeChunkResultsIfAbsent(String batchId, int chunkIndex, String ndjson) {
    return async().hsetnx(keys.results(batchId), Integer.toString(chunkIndex), ndjson);
  }

  /** The stored results of chunks {@code [from, to)}, one entry per chunk, null where none is stored. */
  public List<String> readChunkResultsAligned(String batchId, int from, int to) {
    List<String> out = new ArrayList<>();
    if (from >= to) {
      return out;
    }
    String[] fields = new String[to - from];
    for (int i = from; i < to; i++) {
      fields[i - from] = Integer.toString(i);
    }
    for (KeyValue<String, String> kv : sync().hmget(keys.results(batchId), fields)) {
      out.add(kv.hasValue() ? kv.getValue() : null);
    }
    return out;
  }

  /**
   * The stored results of chunks {@code [from, to)}, in chunk order; a chunk not yet finished is
   * absent from the list.
   */
  public List<String> readChunkResults(String batchId, int from, int to) {
    return readChunkResultsAligned(batchId, from, to).stream().filter(java.util.Objects::nonNull).toList();
  }

  public boolean ping() {
    return "PONG".equals(sync().ping());
  }

  @Override
  public void close() {
    redis.close();
  }

  private static long[] longs(String csv) {
    return csv.isEmpty() ? new long[0] : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
  }

  private static Instant instant(String text) {
    return text == null || text.isEmpty() ? null : Instant.parse(text);
  }
}
