package dev.batchinfer.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessSettingsTest {

  @Test
  void by_default_no_spans_leave_and_metrics_are_served_on_the_service_port() {
    ProcessSettings s = ProcessSettings.from(Env.of(Map.of()), "gpu-worker", MetricsSettings.DEFAULT_WORKER_PORT);
    assertThat(s.tracing().otlp()).isFalse();
    assertThat(s.tracing().serviceName()).isEqualTo("gpu-worker");
    assertThat(s.tracing().endpoint()).isEqualTo(TracingSettings.DEFAULT_ENDPOINT);
    assertThat(s.metricsEnabled()).isTrue();
    assertThat(s.metrics().port()).isEqualTo(MetricsSettings.DEFAULT_WORKER_PORT);
  }

  @Test
  void otlp_takes_the_endpoint_and_name_given() {
    TracingSettings t = TracingSettings.from(Env.of(Map.of("OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SERVICE_NAME", "api-eu")), "producer-api");
    assertThat(t).isEqualTo(new TracingSettings(true, "http://collector:4318", "api-eu"));
  }

  @Test
  void an_unknown_exporter_is_refused_at_start() {
    assertThatThrownBy(() -> TracingSettings.from(Env.of(Map.of("OTEL_TRACES_EXPORTER", "jaeger")), "x"))
        .isInstanceOf(Env.SettingException.class).hasMessageContaining("OTEL_TRACES_EXPORTER");
  }

  @Test
  void with_metrics_disabled_the_management_port_is_not_read() {
    ProcessSettings s = ProcessSettings.from(Env.of(Map.of("METRICS_ENABLED", "false", "METRICS_PORT", "nonsense")),
        "x", 0);
    assertThat(s.metricsEnabled()).isFalse();
    assertThat(s.metrics().enabled()).isFalse();
  }
}
