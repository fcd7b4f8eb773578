package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The appends of open batches ({@code "open": true}). One append (or the finalize) runs on a batch at a time: it
 * takes the batch's one slot ({@link #begin}), which names it and says where its items and chunks start (the
 * batch's confirmed total and chunk count, so a batch's chunks stay numbered without holes); writes what it adds
 * before its Kafka commit ({@link #prepare}); and after the commit adds it to the record ({@link #confirm}). An
 * append that fails frees the slot ({@link #abandon}); one whose API died holds it until it is due, when the
 * progress service's sweep asks Kafka whether its commit landed and confirms or abandons it.
 */
public final class OpenBatches {

  /** Why an append or finalize may not start now; {@code OK} if it holds the slot. */
  public enum Slot { OK, NOT_FOUND, NOT_OPEN, FINALIZED, BUSY }

  /** The slot taken (or not), and where what is added starts. */
  public record Begun(Slot slot, long total, int chunks) {}

  /** What a confirmed append added. */
  public record Appended(long firstItem, long items, int firstChunk, int chunks) {
    String wire() {
      return firstItem + "," + items + "," + firstChunk + "," + chunks;
    }

    static Appended fromWire(String s) {
      String[] p = s.split(",");
      return new Appended(Long.parseLong(p[0]), Long.parseLong(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
    }
  }

  /** The append or finalize holding a batch's slot since {@code sinceMs}, and what it adds (null before its {@link #prepare}). */
  public record InFlight(String appendId, long sinceMs, long dueMs, Appended adds) {}

  // Every script takes the record's field names first (FIELDS, from the catalogue), its own arguments after.
  private static final String NAMES = """
      local OPEN, FINALIZED, ID, DUE, SINCE, ITEMS, STARTS, CHUNK_STARTS, TOTAL =
        ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
      """;
  // A script's own arguments start at ARGV[10].

  private static final String BEGIN = NAMES + """
      if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_FOUND'} end
      if redis.call('HGET', KEYS[1], OPEN) ~= '1' then return {'NOT_OPEN'} end
      if redis.call('HGET', KEYS[1], FINALIZED) == '1' then return {'FINALIZED'} end
      if redis.call('HEXISTS', KEYS[1], ID) == 1 then return {'BUSY'} end
      redis.call('HSET', KEYS[1], ID, ARGV[10], DUE, ARGV[11], SINCE, ARGV[12])
      local starts = redis.call('HGET', KEYS[1], CHUNK_STARTS) or ''
      local chunks = 0
      for _ in string.gmatch(starts, '[^,]+') do chunks = chunks + 1 end
      return {'OK', redis.call('HGET', KEYS[1], TOTAL), tostring(chunks)}""";

  private static final String PREPARE = NAMES + """
      if redis.call('HGET', KEYS[1], ID) ~= ARGV[10] then return 0 end
      redis.call('HSET', KEYS[1], ITEMS, ARGV[11], STARTS, ARGV[12])
      return 1""";

  // Adds the prepared append to the record (total, chunk starts) and keeps its answer; frees the slot.
  private static final String CONFIRM = NAMES + """
      if redis.call('HGET', KEYS[1], ID) ~= ARGV[10] then return 0 end
      local adds = redis.call('HGET', KEYS[1], ITEMS)
      local starts = redis.call('HGET', KEYS[1], STARTS)
      if not adds then return 0 end
      local items = string.match(adds, '^[^,]+,([^,]+)')
      local known = redis.call('HGET', KEYS[1], CHUNK_STARTS) or ''
      redis.call('HSET', KEYS[1], CHUNK_STARTS, known == '' and starts or (known .. ',' .. starts))
      redis.call('HINCRBY', KEYS[1], TOTAL, items)
      redis.call('HSET', KEYS[2], ARGV[10], adds)
      redis.call('HDEL', KEYS[1], ID, DUE, SINCE, ITEMS, STARTS)
      return 1""";

  // Frees the slot if this append (or finalize) holds it; ARGV[11] "1" marks the batch finalized; ARGV[12] "1" frees
  // it only if the append has not prepared (so it cannot commit after all).
  private static final String RELEASE = NAMES + """
      if redis.call('HGET', KEYS[1], ID) ~= ARGV[10] then return 0 end
      if ARGV[12] == '1' and redis.call('HEXISTS', KEYS[1], ITEMS) == 1 then return 0 end
      redis.call('HDEL', KEYS[1], ID, DUE, SINCE, ITEMS, STARTS)
      if ARGV[11] == '1' then redis.call('HSET', KEYS[1], FINALIZED, '1') end
      return 1""";

  private static final List<String> FIELDS = List.of(RedisKeys.BatchField.OPEN, RedisKeys.BatchField.FINALIZED,
      RedisKeys.BatchField.APPEND_ID, RedisKeys.BatchField.APPEND_DUE, RedisKeys.BatchField.APPEND_SINCE,
      RedisKeys.BatchField.APPEND_ITEMS, RedisKeys.BatchField.APPEND_STARTS, RedisKeys.BatchField.CHUNK_STARTS,
      RedisKeys.BatchField.TOTAL);

  /** The field names, then {@code own}. */
  private static String[] args(String... own) {
    List<String> all = new java.util.ArrayList<>(FIELDS);
    all.addAll(List.of(own));
    return all.toArray(String[]::new);
  }

  private final Redis redis;
  private final RedisKeys keys;
  private final Redis.Script begin;
  private final Redis.Script prepare;
  private final Redis.Script confirm;
  private final Redis.Script release;

  public OpenBatches(Redis redis) {
    this.redis = redis;
    this.keys = redis.keys();
    this.begin = redis.script(BEGIN);
    this.prepare = redis.script(PREPARE);
    this.confirm = redis.script(CONFIRM);
    this.release = redis.script(RELEASE);
  }

  /** Takes the batch's slot for {@code appendId} until {@code dueMs}, when a sweep may judge it if it is still held. */
  public Begun begin(String batchId, String appendId, long nowMs, long dueMs) {
    List<Object> r = begin.run(ScriptOutputType.MULTI, new String[] {keys.batch(batchId)},
        args(appendId, Long.toString(dueMs), Long.toString(nowMs)));
    Slot slot = Slot.valueOf((String) r.get(0));
    if (slot != Slot.OK) {
      return new Begun(slot, 0, 0);
    }
    redis.sync().zadd(keys.appendsDue(), (double) dueMs, dueEntry(batchId, appendId));
    return new Begun(slot, Long.parseLong((String) r.get(1)), Integer.parseInt((String) r.get(2)));
  }

  /** What the append adds, written before its commit: a sweep confirms exactly this if its API dies after it. */
  public boolean prepare(String batchId, String appendId, Appended adds, long[] chunkStarts) {
    String starts = Arrays.stream(chunkStarts).mapToObj(Long::toString).collect(Collectors.joining(","));
    Long done = prepare.run(ScriptOutputType.INTEGER, new String[] {keys.batch(batchId)},
        args(appendId, adds.wire(), starts));
    return done != null && done == 1L;
  }

  /** The append committed: the record's total and chunks grow by it, its answer is kept, the slot is free. */
  public boolean confirm(String batchId, String appendId) {
    Long done = confirm.run(ScriptOutputType.INTEGER, new String[] {keys.batch(batchId), keys.appends(batchId)},
        args(appendId));
    forgetDue(batchId, appendId);
    return done != null && done == 1L;
  }

  /** The append did not commit (or the finalize sent no seal): the slot is free, the record as before. */
  public void abandon(String batchId, String appendId) {
    release.run(ScriptOutputType.INTEGER, new String[] {keys.batch(batchId)}, args(appendId, "0", "0"));
    forgetDue(batchId, appendId);
  }

  /**
   * Frees the slot of an append whose API went quiet, if it has not prepared: it commits only after preparing, so
   * it then never will (its prepare fails once the slot is gone). False if it has prepared: Kafka must decide.
   */
  public boolean abandonUnprepared(String batchId, String appendId) {
    Long done = release.run(ScriptOutputType.INTEGER, new String[] {keys.batch(batchId)}, args(appendId, "0", "1"));
    if (done != null && done == 1L) {
      forgetDue(batchId, appendId);
      return true;
    }
    return false;
  }

  /** The finalize holding the slot sent its seal: the batch takes no more appends. */
  public void finalized(String batchId, String finalizeId) {
    release.run(ScriptOutputType.INTEGER, new String[] {keys.batch(batchId)}, args(finalizeId, "1", "0"));
    forgetDue(batchId, finalizeId);
  }

  /** A confirmed append of the batch, by its id. */
  public Optional<Appended> confirmed(String batchId, String appendId) {
    return Optional.ofNullable(redis.sync().hget(keys.appends(batchId), appendId)).map(Appended::fromWire);
  }

  /** What holds the batch's slot now, if anything. */
  public Optional<InFlight> inFlight(String batchId) {
    List<io.lettuce.core.KeyValue<String, String>> f = redis.sync().hmget(keys.batch(batchId),
        RedisKeys.BatchField.APPEND_ID, RedisKeys.BatchField.APPEND_SINCE, RedisKeys.BatchField.APPEND_DUE,
        RedisKeys.BatchField.APPEND_ITEMS);
    if (!f.get(0).hasValue()) {
      return Optional.empty();
    }
    return Optional.of(new InFlight(f.get(0).getValue(), Long.parseLong(f.get(1).getValueOrElse("0")),
        Long.parseLong(f.get(2).getValueOrElse("0")), f.get(3).hasValue() ? Appended.fromWire(f.get(3).getValue()) : null));
  }

  /** An entry of the due index: a batch and the append that held its slot. */
  public record Due(String batchId, String appendId) {}

  /** Appends that held their batch's slot past their due time, oldest first (a sweep checks each still holds it). */
  public List<Due> due(long nowMs, int limit) {
    return redis.sync().zrangebyscore(keys.appendsDue(), Range.create(Double.NEGATIVE_INFINITY, (double) nowMs),
        io.lettuce.core.Limit.create(0, limit)).stream().map(e -> {
          int bar = e.indexOf('|');
          return new Due(e.substring(0, bar), e.substring(bar + 1));
        }).toList();
  }

  /** Out of the due index: the append no longer holds the slot. */
  public void forgetDue(String batchId, String appendId) {
    redis.sync().zrem(keys.appendsDue(), dueEntry(batchId, appendId));
  }

  private static String dueEntry(String batchId, String appendId) {
    return batchId + "|" + appendId;
  }
}
