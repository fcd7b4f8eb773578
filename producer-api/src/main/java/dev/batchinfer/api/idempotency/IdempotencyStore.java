package dev.batchinfer.api.idempotency;

import dev.batchinfer.store.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.SetArgs;
import java.time.Duration;

/**
 * Idempotency keys (IETF httpapi Idempotency-Key draft), per tenant: the first request with a key
 * claims it; when it finishes, its response is kept for 24 hours and replayed to any repeat with
 * the same body. Only the request holding a claim can complete or release it.
 *
 * <p>A claim names the batch its request will create and carries a lease, renewed every
 * {@link #RENEW_EVERY} while the request runs. A claim whose lease lapsed ({@link #LEASE}) belongs to
 * a request whose API died: a repeat is then answered by what became of that batch (see
 * {@link Claim#abandoned}) instead of waiting out the claim TTL. The claim itself expires after the
 * claim TTL, which outlasts the longest request (see {@link #claimTtl}).
 */
public final class IdempotencyStore implements AutoCloseable {

  static final Duration KEEP = Duration.ofHours(24);
  public static final Duration DEFAULT_CLAIM_TTL = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * What is stored under a key: a request in flight, or its finished response.
   *
   * @param claim a claim's own random id, so that only its request can replace or remove it
   */
  public record Entry(boolean inFlight, String bodyHash, int status, String location, String response, String claim,
      String batchId) {}

  /**
   * What {@link #claim} got: this request's hold on the key, or ({@code held} set) what already holds it.
   *
   * @param value the stored claim, compared before the key is completed or released
   */
  public record Claim(String tenant, String idempotencyKey, String value, Entry held, String heldValue, boolean abandoned) {
    public boolean taken() {
      return held == null;
    }
  }

  /** How long a claim's request counts as alive without renewing its lease. */
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Duration RENEW_EVERY = Duration.ofSeconds(5);

  // Takes the key (NX, claim TTL) and its lease together: a claim is never seen without a lease while its request lives.
  private static final String CLAIM = """
      if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
      redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
      return 1
      """;

  // An abandoned claim (ARGV[1], as read) replaced by a new one and its lease, unless someone replaced it first.
  private static final String TAKE_OVER = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
      redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
      return 1
      """;

  // Replace (ARGV[2], with a TTL of ARGV[3] ms) or remove (no ARGV[2]) the key only while it holds our claim.
  private static final String IF_CLAIMED = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      if ARGV[2] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
      return 1
      """;

  static final Duration COMPLETE_RETRY = Duration.ofSeconds(1);
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IdempotencyStore.class);

  private final Redis redis;
  private final Duration claimTtl;
  private final java.util.concurrent.ScheduledExecutorService background =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idempotency-complete");
        t.setDaemon(true);
        return t;
      });
  private final Redis.Script ifClaimed;
  private final Redis.Script claimScript;
  private final Redis.Script takeOver;
  /** Lease key → claim id of every claim whose request runs in this process: renewed until it finishes. */
  private final java.util.Map<String, String> leases = new java.util.concurrent.ConcurrentHashMap<>();

  /** @param claimTtl how long a claim lasts if its request dies: longer than any request may take */
  public IdempotencyStore(Redis redis, Duration claimTtl) {
    this.redis = redis;
    this.claimTtl = claimTtl;
    this.ifClaimed = redis.script(IF_CLAIMED);
    this.claimScript = redis.script(CLAIM);
    this.takeOver = redis.script(TAKE_OVER);
    background.scheduleWithFixedDelay(this::renewLeases, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void renewLeases() {
    try {
      var a = redis.async();
      leases.forEach((lease, id) -> a.set(lease, id, SetArgs.Builder.px(LEASE.toMillis())));
    } catch (RuntimeException e) {
      log.warn("idempotency leases not renewed this time: {}", e.toString());
    }
  }


  /**
   * A claim TTL longer than the longest submit: its body arriving (at most {@code uploadTimeout}),
   * then waiting for a producer and committing (a submit timeout each), and a minute to spare. A
   * claim that lapsed under a running request would let a repeat create a second batch.
   */
  public static Duration claimTtl(Duration uploadTimeout, Duration submitTimeout) {
    Duration longest = uploadTimeout.plus(submitTimeout.multipliedBy(2)).plusMinutes(1);
    return longest.compareTo(DEFAULT_CLAIM_TTL) > 0 ? longest : DEFAULT_CLAIM_TTL;
  }

  private String key(String tenant, String idempotencyKey) {
    // Hashed: the client's key may be long or contain anything.
    return redis.keys().idempotency(tenant, dev.batchinfer.api.auth.ApiKeys.sha256Hex(idempotencyKey));
  }

  private String leaseKey(String key) {
    return redis.keys().idempotencyLease(key);
  }

  /** Claims the key for a request that creates no batch of its own (tests, or a future kind of request). */
  public Claim claim(String tenant, String idempotencyKey) {
    return claim(tenant, idempotencyKey, null);
  }

  /**
   * Claims the key for a new request.
   *
   * @param batchId the batch the request will create, by which a repeat finds out what became of it if
   *     the request's API dies
   * @return the claim; if another request had taken the key, what holds it instead (and whether that
   *     request is gone: its claim names a batch and its lease lapsed)
   */
  public Claim claim(String tenant, String idempotencyKey, String batchId) {
    String k = key(tenant, idempotencyKey);
    String id = java.util.UUID.randomUUID().toString();
    String value = write(new Entry(true, null, 0, null, null, id, batchId));
    Long claimed = claimScript.run(io.lettuce.core.ScriptOutputType.INTEGER, new String[] {k, leaseKey(k)}, value,
        Long.toString(claimTtl.toMillis()), id, Long.toString(LEASE.toMillis()));
    if (claimed != null && claimed == 1L) {
      leases.put(leaseKey(k), id);
      return new Claim(tenant, idempotencyKey, value, null, null, false);
    }
    String held = redis.sync().get(k);
    if (held == null) {
      return claim(tenant, idempotencyKey, batchId);
    }
    Entry entry = read(held);
    boolean abandoned = entry.inFlight() && entry.batchId() != null && redis.sync().get(leaseKey(k)) == null;
    return new Claim(tenant, idempotencyKey, null, entry, held, abandoned);
  }

  /**
   * Takes an abandoned claim over for a new request that will create {@code batchId}: the earlier request's batch
   * never reached Kafka.
   *
   * @return the new claim, or null if another repeat took it over first
   */
  public Claim takeOver(Claim abandoned, String batchId) {
    String k = key(abandoned.tenant(), abandoned.idempotencyKey());
    String id = java.util.UUID.randomUUID().toString();
    String value = write(new Entry(true, null, 0, null, null, id, batchId));
    Long done = takeOver.run(io.lettuce.core.ScriptOutputType.INTEGER, new String[] {k, leaseKey(k)}, abandoned.heldValue(),
        value, Long.toString(claimTtl.toMillis()), id, Long.toString(LEASE.toMillis()));
    if (done == null || done != 1L) {
      return null;
    }
    leases.put(leaseKey(k), id);
    return new Claim(abandoned.tenant(), abandoned.idempotencyKey(), value, null, null, false);
  }

  /**
   * Stores, for an abandoned claim whose batch was accepted after all, the response its request would have given.
   *
   * @return false if another repeat resolved the claim first
   */
  public boolean completeAbandoned(Claim abandoned, String bodyHash, int status, String location, String response) {
    return complete(new Claim(abandoned.tenant(), abandoned.idempotencyKey(), abandoned.heldValue(), null, null, false),
        bodyHash, status, location, response);
  }

  /** Whether this request still holds its claim: checked just before its batch is accepted. */
  public boolean stillHeld(Claim claim) {
    return claim.value().equals(redis.sync().get(key(claim.tenant(), claim.idempotencyKey())));
  }

  /**
   * Stores the response of the claim's request for {@link #KEEP}, unless the claim is no longer
   * there (it lapsed and another request took the key): that request's entry is left alone.
   *
   * @return whether the response was stored
   */
  public boolean complete(Claim claim, String bodyHash, int status, String location, String response) {
    stopRenewing(claim);
    return ifClaimed(claim, write(new Entry(false, bodyHash, status, location, response, null, null)), KEEP);
  }

  /**
   * The request is over (answered, or failed): its lease lapses. A repeat that then finds the claim still in flight
   * (its response could not be stored yet) learns the answer from the batch itself.
   */
  private void stopRenewing(Claim claim) {
    leases.remove(leaseKey(key(claim.tenant(), claim.idempotencyKey())));
  }

  /**
   * {@link #complete}, for a request whose batch is already accepted and must be answered 202 now:
   * if Redis cannot take the response, it is stored in the background, tried again every
   * {@link #COMPLETE_RETRY} until the claim would have lapsed. Until then a repeat gets 409 (in
   * flight), never a second batch.
   */
  public void completeAccepted(Claim claim, String bodyHash, int status, String location, String response) {
    long lapses = System.nanoTime() + claimTtl.toNanos();
    Runnable attempt = new Runnable() {
      @Override
      public void run() {
        try {
          if (!complete(claim, bodyHash, status, location, response)) {
            log.warn("{}: accepted, but the claim on its Idempotency-Key had lapsed and another request holds the key "
                + "now; that request's answer stays", location);
          }
        } catch (io.lettuce.core.RedisException e) {
          if (System.nanoTime() - lapses < 0 && !background.isShutdown()) {
            background.schedule(this, COMPLETE_RETRY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
          } else {
            log.error("{}: its Idempotency-Key's response could not be stored before the claim lapsed: {}", location,
                e.toString());
          }
        }
      }
    };
    try {
      attempt.run();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.warn("{}: shutting down; its Idempotency-Key's response is not stored", location);
    }
  }

  /** Gives the key up after a failed request, so the client can retry with it; another request's claim stays. */
  public boolean release(Claim claim) {
    stopRenewing(claim);
    return ifClaimed(claim, null, null);
  }

  private boolean ifClaimed(Claim claim, String replacement, Duration ttl) {
    String[] keys = {key(claim.tenant(), claim.idempotencyKey())};
    Long done = replacement == null
        ? ifClaimed.run(io.lettuce.core.ScriptOutputType.INTEGER, keys, claim.value())
        : ifClaimed.run(io.lettuce.core.ScriptOutputType.INTEGER, keys, claim.value(), replacement,
            Long.toString(ttl.toMillis()));
    return done != null && done == 1;
  }

  private static String write(Entry e) {
    try {
      return JSON.writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static Entry read(String text) {
    try {
      return JSON.readValue(text, Entry.class);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("stored idempotency entry is not JSON", ex);
    }
  }

  @Override
  public void close() {
    background.shutdown(); // the Redis client is the process's, closed by its owner
  }
}
