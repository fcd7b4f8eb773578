package dev.batchinfer.progress.rollout;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.store.model.RegistryStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.models.Deployment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The automated rollback against a real Redis. */
class RolloutGuardIT {
  private Redis storeRedis;

  private static final Deployment CANARY = new Deployment("1.0.0", new Deployment.Canary("2.0.0", 0.1), List.of("2.0.0"),
      List.of(), List.of(), List.of(), List.of(), 1);
  private static final RolloutGuard.Policy POLICY =
      new RolloutGuard.Policy(0.05, 0.25, 100, Duration.ofMinutes(10), Duration.ofSeconds(1));

  private final String prefix = TestInfra.unique("guard") + ":";
  private RegistryStore registry;
  private ModelTelemetry telemetry;
  private RolloutGuard guard;

  @BeforeEach
  void start() {
    storeRedis = Redis.connect(TestInfra.redisUrl(), prefix);
    registry = new RegistryStore(storeRedis);
    telemetry = new ModelTelemetry(storeRedis);
    registry.current("m", CANARY);
    guard = new RolloutGuard(() -> List.of("m"), registry, telemetry, POLICY);
  }

  @AfterEach
  void stop() {
    storeRedis.close();
  }

  @Test
  void a_canary_erring_more_than_allowed_is_demoted_with_the_reason() {
    telemetry.countItems("m", "2.0.0", "b1", 0, 200, 20, System.currentTimeMillis()).toCompletableFuture().join();
    telemetry.countItems("m", "1.0.0", "b2", 0, 2000, 0, System.currentTimeMillis()).toCompletableFuture().join();
    guard.check("m");
    Deployment d = registry.find("m").orElseThrow();
    assertThat(d.canary()).isNull();
    assertThat(d.history()).last().extracting(Deployment.Change::reason).asString()
        .contains("error rate 10.0%").contains("200 items");
  }

  @Test
  void too_little_evidence_changes_nothing() {
    telemetry.countItems("m", "2.0.0", "b3", 0, 50, 50, System.currentTimeMillis()).toCompletableFuture().join(); // all bad, but only 50 items
    telemetry.recordShadow("m", "1.0.0", "2.0.0", 50, 0, Map.of("a\tb", 50));
    guard.check("m");
    assertThat(registry.find("m").orElseThrow().canary()).isNotNull();
  }

  @Test
  void a_healthy_canary_stays() {
    telemetry.countItems("m", "2.0.0", "b4", 0, 1000, 10, System.currentTimeMillis()).toCompletableFuture().join(); // 1 %
    telemetry.recordShadow("m", "1.0.0", "2.0.0", 500, 480, Map.of("a\ta", 480, "a\tb", 20)); // 4 % disagree
    guard.check("m");
    assertThat(registry.find("m").orElseThrow().canary()).isNotNull();
  }

  @Test
  void a_canary_disagreeing_with_production_in_the_shadow_is_demoted() {
    telemetry.recordShadow("m", "1.0.0", "2.0.0", 400, 200, Map.of("a\ta", 200, "a\tb", 200));
    guard.check("m");
    Deployment d = registry.find("m").orElseThrow();
    assertThat(d.canary()).isNull();
    assertThat(d.history()).last().extracting(Deployment.Change::reason).asString().contains("disagrees").contains("50.0%");
  }
}
