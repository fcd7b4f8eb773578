package dev.batchinfer.api.limits;

import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.read.EtaEstimator;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.batch.BatchQueue;
import dev.batchinfer.store.batch.TenantQuota;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.topics.message.Priority;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a tenant can know before it submits, instead of finding out through a 429: the work queued ahead per
 * priority (all tenants), what the workers of each model version answered per second lately, the estimated wait
 * for a new batch of N items, and its own quota (queued-items cap and rate buckets). The same figures go into
 * every 429 the tenant gets ({@link TenantLimits}).
 */
public final class Capacity {

  /** A worker heartbeat older than this does not count as serving (heartbeats come every 2 s). */
  static final long SERVING_FRESH_MS = 15_000;

  /** What to estimate the wait for: a batch of {@code items} at {@code priority}, for {@code model} or (null) each model. */
  public record Ask(String model, Priority priority, long items) {
    /** A 429's figures, and a bare GET's: each model, normal priority, a thousand items. */
    public static final Ask DEFAULT = new Ask(null, Priority.NORMAL, 1_000);
  }

  /** How long the figures shared by every tenant are reused: a flood of 429s must not become a flood on Redis. */
  static final long REUSE_MILLIS = 1_000;

  private record Shared(Map<String, Object> figures, long atMillis) {}

  private volatile Shared shared;

  private final BatchQueue queue;
  private final EtaEstimator eta;
  private final ModelRouter router;
  private final ModelTelemetry telemetry;
  private final TenantQuota quota;
  private final RateLimiter limiter;
  private final TenantLimits.Settings limits;
  private final Clock clock;

  public Capacity(BatchQueue queue, EtaEstimator eta, ModelRouter router, ModelTelemetry telemetry, TenantQuota quota,
      RateLimiter limiter, TenantLimits.Settings limits, Clock clock) {
    this.queue = queue;
    this.eta = eta;
    this.router = router;
    this.telemetry = telemetry;
    this.quota = quota;
    this.limiter = limiter;
    this.limits = limits;
    this.clock = clock;
  }

  /** The whole document of {@code GET /v1/capacity}, and of a 429's {@code capacity} member. */
  public Map<String, Object> describe(String tenant, Ask ask) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant", tenant);
    m.put("at", clock.instant().toString());
    m.putAll(ask.equals(Ask.DEFAULT) ? sharedDefault() : shared(ask));
    m.put("quota", quota(tenant));
    return m;
  }

  private Map<String, Object> sharedDefault() {
    Shared s = shared;
    long now = clock.millis();
    if (s == null || now - s.atMillis() >= REUSE_MILLIS || now < s.atMillis()) {
      s = new Shared(shared(Ask.DEFAULT), now);
      shared = s;
    }
    return s.figures();
  }

  private Map<String, Object> shared(Ask ask) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("queues", queues());
    m.put("throughput", throughput());
    List<Map<String, Object>> estimates = new ArrayList<>();
    for (String model : ask.model() == null ? router.catalog().modelIds() : List.of(ask.model())) {
      estimates.add(estimate(model, ask.priority(), ask.items()));
    }
    m.put("estimates", estimates);
    return m;
  }

  /** The models a capacity can be asked for. */
  java.util.Collection<String> modelIds() {
    return router.catalog().modelIds();
  }

  /** Unfinished batches and their items still to answer, per priority, over every tenant. */
  Map<String, Object> queues() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Priority p : Priority.values()) {
      long batches = queue.depth(p);
      long sampled = queue.itemsQueued(p, EtaEstimator.MAX_BATCHES_SUMMED);
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("batches", batches);
      q.put("items", EtaEstimator.extrapolate(sampled, batches));
      // Past the sample, the items are the sampled batches' average times the number of batches.
      q.put("items_exact", batches <= EtaEstimator.MAX_BATCHES_SUMMED);
      m.put(p.wire(), q);
    }
    return m;
  }

  /** Each model version's measured rate over the estimator's window, and whether a worker serves it now. */
  List<Map<String, Object>> throughput() {
    long now = clock.millis();
    List<Map<String, Object>> out = new ArrayList<>();
    for (String model : router.catalog().modelIds()) {
      for (ModelConfig c : router.catalog().versions(model)) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("model", model);
        v.put("version", c.version());
        v.put("items_per_second", round(eta.measuredItemsPerSecond(model, c.version())));
        v.put("window_seconds", EtaEstimator.WINDOW_MINUTES * 60);
        v.put("served", telemetry.served(model, c.version(), now, SERVING_FRESH_MS));
        out.add(v);
      }
    }
    return out;
  }

  /** A new batch would wait behind everything queued at or above its priority; it runs on the production version. */
  private Map<String, Object> estimate(String model, Priority priority, long items) {
    String version = router.deployment(model).production();
    EtaEstimator.Estimate e = eta.estimateNew(model, version, priority, items);
    Instant now = clock.instant();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("version", version);
    m.put("priority", priority.wire());
    m.put("items", items);
    m.put("batches_ahead", e.position());
    m.put("items_ahead", e.itemsAhead());
    m.put("items_per_second", round(e.itemsPerSecond()));
    m.put("measured", eta.measuredItemsPerSecond(model, version) > 0);
    m.put("wait_seconds", round(Math.max(0, e.completion().toEpochMilli() - now.toEpochMilli()) / 1000.0));
    m.put("completion", e.completion().toString());
    return m;
  }

  /** The tenant's own limits and how much of each is left. */
  public Map<String, Object> quota(String tenant) {
    Map<String, Object> m = new LinkedHashMap<>();
    long used = quota.queued(tenant);
    Map<String, Object> queued = new LinkedHashMap<>();
    queued.put("used", used);
    queued.put("limit", limits.maxQueuedItems());
    queued.put("remaining", Math.max(0, limits.maxQueuedItems() - used));
    m.put("queued_items", queued);
    m.put("requests", bucket(tenant, "requests", limits.requests()));
    m.put("items", bucket(tenant, "items", limits.items()));
    return m;
  }

  private Map<String, Object> bucket(String tenant, String name, RateLimiter.Bucket bucket) {
    double available = limiter.available(tenant, name, bucket);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate_per_second", bucket.rate());
    m.put("burst", bucket.burst());
    m.put("available", Math.floor(available));
    m.put("used", Math.ceil(bucket.burst() - available));
    m.put("full_in_seconds", round((bucket.burst() - available) / bucket.rate()));
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
