package dev.batchinfer.api.limits;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.TenantQuota;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-tenant admission: request rate, submitted-item rate, and a cap on items of unfinished
 * batches. One tenant flooding the API gets 429 with Retry-After; the others are not affected,
 * since every bucket is the tenant's own.
 *
 * @see RateLimiter
 */
public final class TenantLimits {

  /**
   * @param requests RATE_REQUESTS_PER_SECOND, RATE_REQUESTS_BURST
   * @param items RATE_ITEMS_PER_SECOND, RATE_ITEMS_BURST
   * @param maxQueuedItems MAX_QUEUED_ITEMS
   */
  public record Settings(RateLimiter.Bucket requests, RateLimiter.Bucket items, long maxQueuedItems) {
    public Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("requests_per_second", requests.rate());
      m.put("requests_burst", requests.burst());
      m.put("items_per_second", items.rate());
      m.put("items_burst", items.burst());
      m.put("max_queued_items", maxQueuedItems);
      return m;
    }
  }

  private final RateLimiter limiter;
  private final TenantQuota store;
  private final Settings settings;

  public TenantLimits(RateLimiter limiter, TenantQuota store, Settings settings) {
    this.limiter = limiter;
    this.store = store;
    this.settings = settings;
  }

  /** A before-handler (after authentication): one token per request. */
  public void admitRequest(Context ctx) {
    String tenant = Authenticator.principal(ctx).tenant();
    Duration wait;
    try {
      wait = limiter.take(tenant, "requests", settings.requests(), 1);
    } catch (io.lettuce.core.RedisException e) {
      // Without Redis no bucket can be read. A read is let through: one that needs Redis fails on
      // its own with 503, one that does not (models, limits) is served. Anything that writes is
      // refused (fail closed), since nothing it creates could be recorded or limited.
      if (ctx.method() == io.javalin.http.HandlerType.GET || ctx.method() == io.javalin.http.HandlerType.HEAD) {
        return;
      }
      throw e;
    }
    if (wait != null) {
      throw tooMany("tenant " + tenant + " is over " + settings.requests().rate() + " requests per second", wait);
    }
  }

  /**
   * Before a batch is accepted: room under the queued-items cap (reserved atomically for this
   * batch) and item tokens, asked for at once (one round trip's wait, not two: every submit waits
   * here). Whichever of the two is refused, the other is given back. The caller releases the
   * reservation if the batch is not accepted.
   */
  public void admitItems(String tenant, String batchId, long items) {
    admitItems(tenant, batchId, items, items);
  }

  /**
   * As {@link #admitItems(String, String, long)} for items added to a batch that has some: the batch then holds
   * {@code batchItems} of the queued-items cap, and the rate is charged for the {@code added} only.
   */
  public void admitItems(String tenant, String batchId, long batchItems, long added) {
    long items = added;
    var reserved = store.reserveAsync(tenant, batchId, batchItems, settings.maxQueuedItems());
    var tokens = limiter.takeAsync(tenant, "items", settings.items(), items);
    long queued = Redis.await(reserved);
    Duration wait = Redis.await(tokens);
    if (queued >= 0) {
      if (wait == null) {
        limiter.giveBack(tenant, "items", settings.items(), items);
      }
      throw tooMany("tenant " + tenant + " has " + queued + " items in unfinished batches; the cap is "
          + settings.maxQueuedItems() + ": wait for some to finish, or cancel some", Duration.ofSeconds(30));
    }
    if (wait != null) {
      giveBackTo(tenant, batchId, batchItems - added);
      throw tooMany("tenant " + tenant + " is over " + settings.items().rate() + " submitted items per second", wait);
    }
  }

  /** The batch's reservation back to what it held before {@code admitItems} ({@code held} 0: none at all). */
  public void giveBackTo(String tenant, String batchId, long held) {
    if (held > 0) {
      store.reserve(tenant, batchId, held, Long.MAX_VALUE); // lowering always fits under the cap
    } else {
      store.release(tenant, batchId);
    }
  }

  private static ApiException tooMany(String detail, Duration retryAfter) {
    return new ApiException(429, "rate-limited", "Too many requests", detail + "; retry later", null, retryAfter);
  }
}
