package dev.batchinfer.observability;

import dev.batchinfer.config.Env;

/**
 * Where the process's spans go: nowhere unless configured.
 *
 * @param otlp OTEL_TRACES_EXPORTER: {@code otlp} sends spans over OTLP/HTTP; {@code none}, the default, sends none
 * @param endpoint OTEL_EXPORTER_OTLP_ENDPOINT, the collector's OTLP/HTTP base URL
 * @param serviceName OTEL_SERVICE_NAME, by default the service's own name
 */
public record TracingSettings(boolean otlp, String endpoint, String serviceName) {

  public static final String DEFAULT_EXPORTER = "none";
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318";

  public static TracingSettings from(Env env, String defaultServiceName) {
    String exporter = env.string("OTEL_TRACES_EXPORTER", DEFAULT_EXPORTER);
    if (!exporter.equals("none") && !exporter.equals("otlp")) {
      throw new Env.SettingException("OTEL_TRACES_EXPORTER must be otlp or none, got '" + exporter + "'");
    }
    return new TracingSettings(exporter.equals("otlp"), env.string("OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_ENDPOINT),
        env.string("OTEL_SERVICE_NAME", defaultServiceName));
  }
}
