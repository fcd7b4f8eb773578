package dev.batchinfer.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.batchinfer.config.Env;
import dev.batchinfer.embedded.testing.PrometheusScrape;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  @Test
  void serves_the_registry_as_prometheus_text_that_promtool_accepts() throws Exception {
    assumeTrue(PrometheusScrape.available(), "promtool and python3-prometheus-client not installed");
    try (Metrics metrics = Metrics.forProcess();
        MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0), metrics)) {
      Counter.builder("batchinfer_test_items").description("items seen by the test").tag("model", "m")
          .register(metrics.registry()).increment(3);

      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).contains(MetricsServer.CONTENT_TYPE);
      PrometheusScrape scrape = PrometheusScrape.parse(r.body());
      assertThat(scrape.sum("batchinfer_test_items_total", Map.of("model", "m"))).isEqualTo(3.0);
      assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
      assertThat(scrape.has("process_cpu_usage")).isTrue();
      assertThat(PrometheusScrape.lint(r.body())).isEmpty();
    }
  }

  @Test
  void the_lint_catches_a_counter_without_total() {
    assumeTrue(PrometheusScrape.available(), "promtool and python3-prometheus-client not installed");
    assertThat(PrometheusScrape.lint("# HELP items_seen items\n# TYPE items_seen counter\nitems_seen 1\n")).isNotEmpty();
  }

  @Test
  void a_disabled_registry_counts_nothing() {
    try (Metrics off = Metrics.disabled()) {
      Counter c = Counter.builder("batchinfer_test_items").register(off.registry());
      c.increment(3);
      assertThat(c.count()).isZero();
      assertThat(off.scrape()).isEmpty();
    }
  }

  @Test
  void off_means_no_server() {
    MetricsSettings off = MetricsSettings.from(Env.of(Map.of("METRICS_PORT", "off")), MetricsSettings.DEFAULT_API_PORT);
    assertThat(off.enabled()).isFalse();
    try (Metrics metrics = new Metrics()) {
      assertThat(MetricsServer.start(off, metrics)).isNull();
    }
    assertThat(MetricsSettings.from(Env.of(Map.of()), 9401).port()).isEqualTo(9401);
  }
}
