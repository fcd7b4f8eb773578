package dev.batchinfer.progress.rollout;

import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.store.model.RegistryStore;
import dev.batchinfer.models.Deployment;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automated rollback: takes a canary out of traffic when it does worse than allowed, and records
 * why in the registry's history. Two triggers, each over at least {@code minItems} items: the
 * canary's item error rate in the recent window, and, when the canary also runs as a shadow of
 * production, its disagreement with production.
 */
public final class RolloutGuard implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RolloutGuard.class);

  /**
   * @param maxErrorRate ROLLBACK_MAX_ERROR_RATE
   * @param maxDisagreement ROLLBACK_MAX_DISAGREEMENT
   * @param minItems ROLLBACK_MIN_ITEMS, evidence needed before judging
   * @param window ROLLBACK_WINDOW, how far back the error rate looks (whole minutes)
   * @param interval ROLLBACK_CHECK_INTERVAL
   */
  public record Policy(double maxErrorRate, double maxDisagreement, long minItems, Duration window, Duration interval) {}

  private final Supplier<Collection<String>> models;
  private final RegistryStore registry;
  private final ModelTelemetry telemetry;
  private final Policy policy;

  public RolloutGuard(Supplier<Collection<String>> models, RegistryStore registry, ModelTelemetry telemetry, Policy policy) {
    this.models = models;
    this.registry = registry;
    this.telemetry = telemetry;
    this.policy = policy;
  }

  @Override
  public void run() {
    for (String model : models.get()) {
      try {
        check(model);
      } catch (RuntimeException e) {
        log.warn("rollout check of {} failed: {}", model, e.toString());
      }
    }
  }

  void check(String model) {
    Optional<Deployment> found = registry.find(model);
    if (found.isEmpty() || found.get().canary() == null) {
      return;
    }
    Deployment d = found.get();
    String canary = d.canary().version();
    long now = System.currentTimeMillis();
    int minutes = (int) Math.max(1, policy.window().toMinutes());
    long[] stats = telemetry.itemsAndErrors(model, canary, minutes, now);
    String reason = null;
    if (stats[0] >= policy.minItems() && stats[1] > policy.maxErrorRate() * stats[0]) {
      reason = String.format(Locale.ROOT, "automated: canary %s item error rate %.1f%% over %d items in the last %d min"
          + " exceeds %.1f%%", canary, 100.0 * stats[1] / stats[0], stats[0], minutes, 100 * policy.maxErrorRate());
    } else if (d.shadow().contains(canary)) {
      ModelTelemetry.ShadowReport r = telemetry.shadowReport(model, d.production(), canary);
      double disagreement = 1 - r.agreementRate();
      if (r.compared() >= policy.minItems() && disagreement > policy.maxDisagreement()) {
        reason = String.format(Locale.ROOT, "automated: canary %s disagrees with production %s on %.1f%% of %d shadowed"
            + " items, more than %.1f%%", canary, d.production(), 100 * disagreement, r.compared(),
            100 * policy.maxDisagreement());
      }
    }
    if (reason != null) {
      String why = reason;
      registry.update(model, d, current -> current.canary() != null && current.canary().version().equals(canary)
          ? current.demoteCanary(why, now) : current);
      log.warn("model {}: {}; canary demoted", model, why);
    }
  }
}
