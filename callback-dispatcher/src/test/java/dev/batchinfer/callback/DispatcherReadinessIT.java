package dev.batchinfer.callback;

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
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The dispatcher's probes as its main wires them, against a real broker and Redis, over HTTP. */
class DispatcherReadinessIT {

  private final TestNamespace ns = TestNamespace.create("dispatcher-ready");

  @Test
  void ready_once_its_event_consumer_is_in_the_group_and_not_ready_after_it_stops() {
    Env env = Env.of(ns.env(Map.of("METRICS_PORT", "0", "WEBHOOK_SECRETS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
    DispatcherSettings settings = DispatcherSettings.from(env);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, settings.common().topics(), (short) 1);
    }
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "callback-dispatcher", 0));
    try {
      int port = process.metricsPort();
      CallbackDispatcherApp app = CallbackDispatcherApp.create(settings, process.metrics());
      process.readyWhen(app::readiness);
      assertThat(HealthProbe.get(port, MetricsServer.READY_PATH).status()).as("not started").isEqualTo(503);

      app.start();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(HealthProbe.get(port, MetricsServer.READY_PATH))
          .isEqualTo(new HealthProbe(200, "{\"status\":\"ready\",\"detail\":\"consuming batch events, scheduler running\"}")));

      app.close();
      assertThat(HealthProbe.get(port, MetricsServer.READY_PATH).status()).isEqualTo(503);
    } finally {
      process.close();
    }
  }
}
