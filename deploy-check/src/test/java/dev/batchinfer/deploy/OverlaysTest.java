package dev.batchinfer.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code kustomize build} makes of each overlay, read into typed objects (unknown fields refused)
 * and checked. Needs kustomize or kubectl; without either, these are skipped and only the files
 * themselves are checked ({@link ManifestFilesTest}).
 */
class OverlaysTest {

  private static final Map<String, List<Object>> RENDERED = new ConcurrentHashMap<>();

  private static Checks checks(String overlay) {
    assumeTrue(Kustomize.command().isPresent(),
        "neither kustomize nor kubectl is installed: the rendered overlays are not checked, only the files");
    return new Checks(RENDERED.computeIfAbsent(overlay,
        o -> Manifests.readAll(Kustomize.build(Manifests.ROOT.resolve("overlays").resolve(o)), "kustomize build overlays/" + o)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void every_container_has_cpu_and_memory_requests_and_limits_and_a_heap_below_its_limit(String overlay) {
    assertThat(checks(overlay).resources()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void every_service_is_probed_for_liveness_and_readiness_where_its_settings_serve_the_probes(String overlay) {
    assertThat(checks(overlay).probes()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void no_secret_value_is_written_into_the_manifests(String overlay) {
    assertThat(checks(overlay).secrets()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void every_deployment_and_statefulset_has_one_disruption_budget_selecting_its_pods(String overlay) {
    assertThat(checks(overlay).disruptionBudgets()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void workers_ask_for_a_gpu_and_tolerate_gpu_nodes_on_gpu_overlays_only(String overlay) {
    assertThat(checks(overlay).gpu(overlay.startsWith("gpu"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void one_autoscaler_scales_the_workers_on_the_lag_of_their_consumer_group(String overlay) {
    assertThat(checks(overlay).autoscaling()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void the_progress_state_is_on_a_claimed_volume_with_standby_replicas(String overlay) {
    assertThat(checks(overlay).progressState()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu", "gpu-hpa"})
  void a_job_initialises_the_topics_and_each_service_runs_once(String overlay) {
    assertThat(checks(overlay).services()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpu", "gpu-hpa"})
  void the_gpu_overlays_run_the_worker_image_built_for_cuda(String overlay) {
    Checks c = checks(overlay);
    assertThat(c.worker().template().getSpec().getContainers().get(0).getImage()).isEqualTo("batch-inference/gpu-worker:0.1.0-gpu");
  }
}
