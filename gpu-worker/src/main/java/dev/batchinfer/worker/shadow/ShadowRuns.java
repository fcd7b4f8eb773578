package dev.batchinfer.worker.shadow;

import dev.batchinfer.models.Deployment;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.store.model.RegistryStore;
import dev.batchinfer.worker.batch.ChunkOrigin;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.infer.ModelKey;
import dev.batchinfer.worker.infer.ResultFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow deployment: for a production chunk, a copy runs on each shadow version the registry
 * names; when both have answered, their labels are compared item by item and the counts recorded.
 * Shadow outputs go nowhere else: clients never see them. The registry is re-read every few
 * seconds, so a change needs no restart.
 */
public final class ShadowRuns {

  private static final Logger log = LoggerFactory.getLogger(ShadowRuns.class);
  private static final long REFRESH_NANOS = 2_000_000_000L;

  private record Cached(Deployment deployment, long at) {}

  private final RegistryStore registry;
  private final ModelTelemetry telemetry;
  private final LoadedModels models;
  private final Map<String, Cached> deployments = new ConcurrentHashMap<>();

  public ShadowRuns(RegistryStore registry, ModelTelemetry telemetry, LoadedModels models) {
    this.registry = registry;
    this.telemetry = telemetry;
    this.models = models;
  }

  /**
   * Shadow copies of a production chunk, each wired to be compared with it; empty if the chunk's
   * version is not production or its model has no loaded shadow. Only chunks whose every item
   * runs are shadowed, so the two sides answer the same items.
   */
  public List<PendingChunk> copiesOf(PendingChunk production, String model, String version, int[] runnable) {
    if (runnable.length != production.chunk().itemCount() || runnable.length == 0) {
      return List.of();
    }
    Deployment d = deployment(model);
    if (d == null || !version.equals(d.production()) || d.shadow().isEmpty()) {
      return List.of();
    }
    List<PendingChunk> copies = new ArrayList<>();
    List<Runnable> hooks = new ArrayList<>();
    for (String shadow : d.shadow()) {
      ModelKey key = new ModelKey(model, shadow);
      if (models.runner(key).isEmpty()) {
        continue;
      }
      PendingChunk copy = new PendingChunk(production.chunk(), key, ChunkOrigin.SHADOW, runnable);
      Comparison c = new Comparison(production, copy, model, version, shadow);
      copy.whenAnswered(c::arrived);
      hooks.add(c::arrived);
      copies.add(copy);
    }
    if (!hooks.isEmpty()) {
      production.whenAnswered(() -> hooks.forEach(Runnable::run));
    }
    return copies;
  }

  private Deployment deployment(String model) {
    Cached c = deployments.get(model);
    if (c == null || System.nanoTime() - c.at() > REFRESH_NANOS) {
      try {
        c = new Cached(registry.find(model).orElse(null), System.nanoTime());
        deployments.put(model, c);
      } catch (RuntimeException e) {
        log.warn("cannot read the registry of {}; shadowing as before: {}", model, e.toString());
        // Not asked again before the next refresh: in an outage each ask would block for a command timeout.
        Deployment before = c == null ? null : c.deployment();
        deployments.put(model, new Cached(before, System.nanoTime()));
        return before;
      }
    }
    return c.deployment();
  }

  /** Waits for both sides, then counts agreement and the label confusion. */
  private final class Comparison {
    private final PendingChunk production;
    private final PendingChunk shadow;
    private final String model;
    private final String productionVersion;
    private final String shadowVersion;
    private final AtomicInteger waiting = new AtomicInteger(2);

    Comparison(PendingChunk production, PendingChunk shadow, String model, String productionVersion, String shadowVersion) {
      this.production = production;
      this.shadow = shadow;
      this.model = model;
      this.productionVersion = productionVersion;
      this.shadowVersion = shadowVersion;
    }

    void arrived() {
      if (waiting.decrementAndGet() != 0) {
        return;
      }
      int compared = 0;
      int agreed = 0;
      Map<String, Integer> confusion = new HashMap<>();
      for (int i = 0; i < production.chunk().itemCount(); i++) {
        String p = ResultFormatter.labelOf(production.line(i));
        String s = ResultFormatter.labelOf(shadow.line(i));
        if (p == null || s == null) {
          continue;
        }
        compared++;
        if (p.equals(s)) {
          agreed++;
        }
        confusion.merge(p + "\t" + s, 1, Integer::sum);
      }
      telemetry.recordShadow(model, productionVersion, shadowVersion, compared, agreed, confusion);
    }
  }
}
