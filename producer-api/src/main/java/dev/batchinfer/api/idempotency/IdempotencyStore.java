package dev.batchinfer.api.idempotency;

import dev.batchinfer.store.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.SetArgs;
import java.time.Duration;

/**
 * Idempotency keys (IETF httpapi Idempotency-Key draft), per tenant: the first request with a key
 * claims it; when it finishes, its response is kept for 24 hours and replayed to any repeat with
 * the same body. A claim whose request died expires after its claim TTL, which outlasts the longest
 * request (see {@link #claimTtl}); only the request holding a claim can complete or release it.
 */
public final class IdempotencyStore implements AutoCloseable {

  static final Duration KEEP = Duration.ofHours(24);
  static final Duration DEFAULT_CLAIM_TTL = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * What is stored under a key: a request in flight, or its finished response.
   *
   * @param claim a claim's own random id, so that only its request can replace or remove it
   */
  public record Entry(boolean inFlight, String bodyHash, int status, String location, String response, String claim) {}

  /**
   * What {@link #claim} got: this request's hold on the key, or ({@code held} set) what already holds it.
   *
   * @param value the stored claim, compared before the key is completed or released
   */
  public record Claim(String tenant, String idempotencyKey, String value, Entry held) {
    public boolean taken() {
      return held == null;
    }
  }

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

  private IdempotencyStore(Redis redis, Duration claimTtl) {
    this.redis = redis;
    this.claimTtl = claimTtl;
    this.ifClaimed = redis.script(IF_CLAIMED);
  }

  public static IdempotencyStore connect(String redisUrl, String keyPrefix) {
    return connect(redisUrl, keyPrefix, DEFAULT_CLAIM_TTL);
  }

  /** @param claimTtl how long a claim lasts if its request dies: longer than any request may take */
  public static IdempotencyStore connect(String redisUrl, String keyPrefix, Duration claimTtl) {
    return new IdempotencyStore(Redis.connect(redisUrl, keyPrefix), claimTtl);
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
    return redis.prefix() + "idempotency:{" + tenant + "}:" + dev.batchinfer.api.auth.ApiKeys.sha256Hex(idempotencyKey);
  }

  /**
   * Claims the key for a new request.
   *
   * @return the claim; if another request had taken the key, what holds it instead
   */
  public Claim claim(String tenant, String idempotencyKey) {
    String k = key(tenant, idempotencyKey);
    String value = write(new Entry(true, null, 0, null, null, java.util.UUID.randomUUID().toString()));
    String claimed = redis.sync().set(k, value, SetArgs.Builder.nx().px(claimTtl.toMillis()));
    if ("OK".equals(claimed)) {
      return new Claim(tenant, idempotencyKey, value, null);
    }
    String held = redis.sync().get(k);
    return held == null ? claim(tenant, idempotencyKey) : new Claim(tenant, idempotencyKey, null, read(held));
  }

  /**
   * Stores the response of the claim's request for {@link #KEEP}, unless the claim is no longer
   * there (it lapsed and another request took the key): that request's entry is left alone.
   *
   * @return whether the response was stored
   */
  public boolean complete(Claim claim, String bodyHash, int status, String location, String response) {
    return ifClaimed(claim, write(new Entry(false, bodyHash, status, location, response, null)), KEEP);
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
    background.shutdown();
    redis.close();
  }
}
