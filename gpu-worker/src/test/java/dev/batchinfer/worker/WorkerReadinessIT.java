package dev.batchinfer.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.config.Env;
import dev.batchinfer.embedded.testing.HealthProbe;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;
import dev.batchinfer.topics.TopicCreator;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The worker's probes as its main wires them, against a real broker and Redis, over HTTP. */
class WorkerReadinessIT {

  private final TestNamespace ns = TestNamespace.create("worker-ready");

  @Test
  void ready_once_its_consumer_is_in_the_group_and_not_ready_after_it_leaves() {
    Env env = Env.of(ns.env(Map.of("METRICS_PORT", "0", "MODEL_ARTIFACTS", "../model-artifacts", "TF_INTRA_OP_THREADS", "2")));
    WorkerSettings settings = WorkerSettings.from(env).withWorkerId("ready-worker");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, settings.common().topics(), (short) 1);
    }
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "gpu-worker", 0));
    try {
      int port = process.metricsPort();
      assertThat(HealthProbe.get(port, MetricsServer.LIVE_PATH).status()).as("live while the models load").isEqualTo(200);
      assertThat(HealthProbe.get(port, MetricsServer.READY_PATH).status()).isEqualTo(503);

      GpuWorkerApp worker = GpuWorkerApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), process.metrics()).start();
      process.readyWhen(worker::readiness);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(HealthProbe.get(port, MetricsServer.READY_PATH))
          .isEqualTo(new HealthProbe(200, "{\"status\":\"ready\",\"detail\":\"member of group " + settings.consumerGroup()
              + ", 18 partitions\"}")));

      worker.close();
      assertThat(HealthProbe.get(port, MetricsServer.READY_PATH)).isEqualTo(new HealthProbe(503,
          "{\"status\":\"not_ready\",\"detail\":\"consumer not a member of group " + settings.consumerGroup() + "\"}"));
    } finally {
      process.close();
    }
  }
}
