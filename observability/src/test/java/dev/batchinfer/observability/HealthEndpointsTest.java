package dev.batchinfer.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.config.Env;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The probes of the management server, over real HTTP: what a kubelet sees. */
class HealthEndpointsTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void live_answers_200_at_once_and_ready_answers_503_starting_until_the_service_gives_its_check() throws Exception {
    try (Metrics metrics = new Metrics();
        MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0), metrics)) {
      assertThat(get(server, MetricsServer.LIVE_PATH).statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(server, MetricsServer.READY_PATH);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.headers().firstValue("Content-Type")).contains("application/json");
      assertThat(ready.body()).isEqualTo("{\"status\":\"not_ready\",\"detail\":\"starting\"}");
    }
  }

  @Test
  void ready_follows_the_check_on_every_probe() throws Exception {
    AtomicReference<Readiness> state = new AtomicReference<>(Readiness.notReady("consumer not in group \"g\""));
    try (Metrics metrics = new Metrics();
        MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0), metrics)) {
      server.readiness(state::get);
      HttpResponse<String> notYet = get(server, MetricsServer.READY_PATH);
      assertThat(notYet.statusCode()).isEqualTo(503);
      assertThat(notYet.body()).isEqualTo("{\"status\":\"not_ready\",\"detail\":\"consumer not in group \\\"g\\\"\"}");

      state.set(Readiness.ready("6 partitions"));
      HttpResponse<String> ready = get(server, MetricsServer.READY_PATH);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("{\"status\":\"ready\",\"detail\":\"6 partitions\"}");

      state.set(Readiness.notReady("streams REBALANCING"));
      assertThat(get(server, MetricsServer.READY_PATH).statusCode()).isEqualTo(503);
      assertThat(get(server, MetricsServer.LIVE_PATH).statusCode()).as("liveness does not follow readiness").isEqualTo(200);
    }
  }

  @Test
  void a_check_that_throws_is_not_ready_and_the_server_goes_on() throws Exception {
    try (Metrics metrics = new Metrics();
        MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0), metrics)) {
      server.readiness(() -> {
        throw new IllegalStateException("boom");
      });
      HttpResponse<String> r = get(server, MetricsServer.READY_PATH);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("boom");
      assertThat(get(server, MetricsServer.METRICS_PATH).statusCode()).isEqualTo(200);
      assertThat(get(server, "/health").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void a_service_process_reports_its_check_on_its_management_port() throws Exception {
    ServiceProcess process =
        ServiceProcess.start(ProcessSettings.from(Env.of(Map.of("METRICS_PORT", "0")), "health-test", 0));
    try {
      assertThat(get(process.metricsPort(), MetricsServer.READY_PATH).statusCode()).isEqualTo(503);
      process.readyWhen(() -> Readiness.ready("serving"));
      assertThat(get(process.metricsPort(), MetricsServer.READY_PATH).statusCode()).isEqualTo(200);
    } finally {
      process.close();
    }
  }

  private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    return get(server.port(), path);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
