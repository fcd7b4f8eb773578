package dev.batchinfer.store.webhook;

import static dev.batchinfer.store.RedisKeys.WebhookField.*;

import dev.batchinfer.store.Redis;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.Limit;
import java.util.ArrayList;
import java.util.HashMap;
import io.lettuce.core.ScoredValue;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;
import java.util.Optional;

/**
 * Webhook deliveries in Redis, so a dispatcher can stop at any moment and another carries on.
 *
 * <ul>
 *   <li>{@code batch:{B}:webhook:<type>} hash: the delivery (body, url, attempts, status)
 *   <li>{@code batch:{B}:webhooks} set: the event types of the batch that have a delivery
 *   <li>{@code batch:{B}:callbacks} list: every attempt of every delivery, as JSON
 *   <li>{@code webhooks:due} sorted set: pending deliveries by due time; claiming one pushes its
 *       due time forward by a lease, so if the claimer dies the delivery comes due again
 *   <li>{@code webhooks:waiting} sorted set: pending deliveries by the time they first became due, which
 *       retries and leases do not move: the age of the oldest undelivered event
 * </ul>
 *
 * Each command touches keys of one hash slot only, so this works on Redis Cluster too.
 */
public final class WebhookStore {

  /** Claims a due member: moves it a lease ahead only if it is still due; 1 if this caller got it. */
  private static final String CLAIM = """
      local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
      if s and tonumber(s) <= tonumber(ARGV[2]) then
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        return 1
      end
      return 0""";

  /**
   * Writes a delivery record whole, and its type into the batch's set, unless one with a status is there: one
   * step, so a dispatcher killed mid-way, or a reply lost to a timeout and the command sent again, never leaves
   * a record with an event id and no status (which nothing would ever schedule). 1 if it wrote.
   */
  private static final String RECORD = """
      if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], unpack(ARGV, 3))
      redis.call('SADD', KEYS[2], ARGV[2])
      return 1""";

  private final Redis redis;
  private final Redis.Script claim;
  private final Redis.Script record;

  public WebhookStore(Redis redis) {
    this.redis = redis;
    this.claim = redis.script(CLAIM);
    this.record = redis.script(RECORD);
  }

  private RedisClusterCommands<String, String> redis() {
    return redis.sync();
  }

  String deliveryKey(String batchId, String type) {
    return redis.keys().webhook(batchId, type);
  }

  private String typesKey(String batchId) {
    return redis.keys().webhookTypes(batchId);
  }

  private String attemptsKey(String batchId) {
    return redis.keys().webhookAttempts(batchId);
  }

  String dueKey() {
    return redis.keys().webhooksDue();
  }

  private String waitingKey() {
    return redis.keys().webhooksWaiting();
  }

  static String member(String batchId, String type) {
    return batchId + "|" + type;
  }

  /**
   * Records a delivery if it is new and schedules it if it is pending. Safe to repeat: an event read
   * twice (the dispatcher died before committing its offset) neither duplicates nor re-sends it.
   * The record is written whole before the schedule entry, so a crash between leaves a record that
   * the repeat schedules.
   */
  public void enqueue(String eventId, String tenant, String batchId, String type, String url, String body, long dueAtMs) {
    enqueue(eventId, tenant, batchId, type, url, body, dueAtMs, null, null);
  }

  /** @param requestId the submit's request id, traceparent the event's trace (either may be null) */
  public void enqueue(String eventId, String tenant, String batchId, String type, String url, String body, long dueAtMs,
      String requestId, String traceparent) {
    String key = deliveryKey(batchId, type);
    record(batchId, type, EVENT_ID, eventId, BATCH_ID, batchId, TENANT, tenant, TYPE, type, URL, url,
        BODY, body, ATTEMPTS, "0", STATUS, DeliveryStatus.PENDING.wire(),
        REQUEST_ID, requestId == null ? "" : requestId, TRACEPARENT, traceparent == null ? "" : traceparent);
    if (DeliveryStatus.PENDING.wire().equals(redis().hget(key, STATUS))) {
      redis().zadd(waitingKey(), ZAddArgs.Builder.nx(), (double) dueAtMs, member(batchId, type));
      redis().zadd(dueKey(), ZAddArgs.Builder.nx(), (double) dueAtMs, member(batchId, type));
    }
  }

  /** Records a delivery that will never be attempted (its URL is refused). */
  public void recordRefused(String eventId, String batchId, String type, String url, String body, String reason) {
    record(batchId, type, EVENT_ID, eventId, BATCH_ID, batchId, TYPE, type, URL, url, BODY, body,
        ATTEMPTS, "0", STATUS, DeliveryStatus.FAILED.wire(), LAST_RESULT, reason);
  }

  private void record(String batchId, String type, String... fieldsAndValues) {
    String[] args = new String[fieldsAndValues.length + 2];
    args[0] = STATUS;
    args[1] = type;
    System.arraycopy(fieldsAndValues, 0, args, 2, fieldsAndValues.length);
    record.run(ScriptOutputType.INTEGER, new String[] {deliveryKey(batchId, type), typesKey(batchId)}, args);
  }

  /** Deliveries still to attempt: due now, scheduled for a retry, or leased to an attempt under way. */
  public long pending() {
    return redis().zcard(dueKey());
  }

  /** Since when the oldest undelivered delivery has waited (its first due time); empty when none waits. */
  public OptionalLong oldestWaitingSinceMs() {
    List<ScoredValue<String>> first = redis().zrangeWithScores(waitingKey(), 0, 0);
    return first.isEmpty() ? OptionalLong.empty() : OptionalLong.of((long) first.get(0).getScore());
  }

  /** Up to {@code limit} deliveries due by {@code nowMs}, each now leased to the caller. */
  public List<String[]> claimDue(long nowMs, int limit, long leaseMs) {
    List<String[]> claimed = new ArrayList<>();
    List<String> due = redis().zrangebyscore(dueKey(), Range.create(Double.NEGATIVE_INFINITY, (double) nowMs),
        Limit.create(0, limit));
    for (String m : due) {
      Long got = claim.run(ScriptOutputType.INTEGER, new String[] {dueKey()}, m,
          Long.toString(nowMs), Long.toString(nowMs + leaseMs));
      if (got != null && got == 1L) {
        int bar = m.lastIndexOf('|');
        claimed.add(new String[] {m.substring(0, bar), m.substring(bar + 1)});
      }
    }
    return claimed;
  }

  private static String blankAsNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  public Optional<Delivery> find(String batchId, String type) {
    Map<String, String> f = redis().hgetall(deliveryKey(batchId, type));
    if (f == null || !f.containsKey(EVENT_ID) || !f.containsKey(URL)) {
      return Optional.empty();
    }
    return Optional.of(new Delivery(f.get(EVENT_ID), f.getOrDefault(TENANT, ""), f.get(BATCH_ID), f.get(TYPE), f.get(URL),
        f.get(BODY), Integer.parseInt(f.getOrDefault(ATTEMPTS, "0")), status(f.get(STATUS)),
        Long.parseLong(f.getOrDefault(NEXT_AT, "0")), f.get(LAST_RESULT), blankAsNull(f.get(REQUEST_ID)),
        blankAsNull(f.get(TRACEPARENT))));
  }

  private static DeliveryStatus status(String wire) {
    return DeliveryStatus.fromWire(wire).orElseThrow(() -> new IllegalStateException("stored delivery status '" + wire
        + "' is none of " + java.util.Arrays.toString(DeliveryStatus.values())));
  }

  /**
   * Records one attempt and what follows: {@code nextAtMs > 0} schedules another, otherwise the
   * delivery is final with {@code status}. The record is updated before the schedule, so a crash in
   * between at worst repeats an attempt (same webhook-id), never loses one.
   */
  public void recordAttempt(Delivery d, String attemptJson, DeliveryStatus status, long nextAtMs, String result) {
    d.status().moveTo(status);
    String key = deliveryKey(d.batchId(), d.type());
    redis().rpush(attemptsKey(d.batchId()), attemptJson);
    redis().hset(key, Map.of(ATTEMPTS, Integer.toString(d.attempts() + 1), STATUS, status.wire(),
        NEXT_AT, Long.toString(nextAtMs), LAST_RESULT, result));
    if (nextAtMs > 0) {
      redis().zadd(dueKey(), (double) nextAtMs, member(d.batchId(), d.type()));
    } else {
      unschedule(d.batchId(), d.type());
    }
  }

  /** Drops the schedule entries of a delivery that is final or gone. */
  public void unschedule(String batchId, String type) {
    redis().zrem(dueKey(), member(batchId, type));
    redis().zrem(waitingKey(), member(batchId, type));
  }

  /** Every delivery of the batch. */
  public List<Delivery> deliveries(String batchId) {
    List<Delivery> out = new ArrayList<>();
    for (String type : redis().smembers(typesKey(batchId))) {
      find(batchId, type).ifPresent(out::add);
    }
    out.sort(java.util.Comparator.comparing(Delivery::type));
    return out;
  }

  /** Every attempt of every delivery of the batch, oldest first, as stored JSON. */
  public List<String> attempts(String batchId) {
    return redis().lrange(attemptsKey(batchId), 0, -1);
  }

  /** Sends every delivery of the batch again, with its original webhook-id; returns how many. */
  public int redeliver(String batchId, long nowMs) {
    int n = 0;
    for (Delivery d : deliveries(batchId)) {
      clearGone(d.tenant(), d.url()); // the client asks again: it has fixed the endpoint
      redis().hset(deliveryKey(batchId, d.type()), Map.of(STATUS, d.status().moveTo(DeliveryStatus.PENDING).wire(), NEXT_AT, Long.toString(nowMs)));
      redis().zadd(waitingKey(), ZAddArgs.Builder.nx(), (double) nowMs, member(batchId, d.type()));
      redis().zadd(dueKey(), (double) nowMs, member(batchId, d.type()));
      n++;
    }
    return n;
  }

  /** Endpoints that answered 410 Gone: no further deliveries go there until a client redelivers. */
  public void markGone(String tenant, String url) {
    redis().sadd(goneKey(tenant), url);
  }

  public boolean isGone(String tenant, String url) {
    return Boolean.TRUE.equals(redis().sismember(goneKey(tenant), url));
  }

  public void clearGone(String tenant, String url) {
    redis().srem(goneKey(tenant), url);
  }

  /** Per tenant: one tenant's endpoint answering 410 says nothing about another's use of it. */
  private String goneKey(String tenant) {
    return redis.keys().webhooksGone(tenant);
  }
}
