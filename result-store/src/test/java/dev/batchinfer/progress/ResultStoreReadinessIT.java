package dev.batchinfer.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.config.Env;
import dev.batchinfer.embedded.testing.HealthProbe;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;
import dev.batchinfer.topics.TopicCreator;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The progress service's probes as its main wires them, against a real broker and Redis, over HTTP. */
class ResultStoreReadinessIT {

  private final TestNamespace ns = TestNamespace.create("progress-ready");

  @Test
  void ready_once_the_topology_runs_and_not_ready_after_it_stops() throws Exception {
    Env env = Env.of(ns.env(Map.of("METRICS_PORT", "0", "STREAMS_STANDBY_REPLICAS", "1",
        "STREAMS_STATE_DIR", Files.createTempDirectory("progress-ready").toString())));
    ProgressSettings settings = ProgressSettings.from(env);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, settings.common().topics(), (short) 1);
    }
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "result-store", 0));
    try {
      int port = process.metricsPort();
      ResultStoreApp app = ResultStoreApp.create(settings, List.of(), process.metrics().registry());
      process.readyWhen(app::readiness);
      assertThat(HealthProbe.get(port, MetricsServer.READY_PATH))
          .isEqualTo(new HealthProbe(503, "{\"status\":\"not_ready\",\"detail\":\"streams CREATED\"}"));

      app.start();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(HealthProbe.get(port, MetricsServer.READY_PATH))
          .isEqualTo(new HealthProbe(200, "{\"status\":\"ready\",\"detail\":\"streams RUNNING\"}")));

      app.close();
      assertThat(HealthProbe.get(port, MetricsServer.READY_PATH).status()).isEqualTo(503);
      assertThat(HealthProbe.get(port, MetricsServer.LIVE_PATH).status()).isEqualTo(200);
    } finally {
      process.close();
    }
  }
}
