package dev.batchinfer.observability;

import dev.batchinfer.config.Env;

/**
 * What {@link ServiceProcess} sets up, read from the environment once, in a service's main.
 *
 * @param tracing where spans go (OTEL_*)
 * @param metricsEnabled METRICS_ENABLED: false gives a no-op registry and no management server (the benchmark's P8
 *     measures the difference)
 * @param metrics where the management server listens (METRICS_HOST, METRICS_PORT); not read, and off, when metrics
 *     are disabled
 */
public record ProcessSettings(TracingSettings tracing, boolean metricsEnabled, MetricsSettings metrics) {

  public static final boolean DEFAULT_METRICS_ENABLED = true;

  public static ProcessSettings from(Env env, String serviceName, int defaultMetricsPort) {
    TracingSettings tracing = TracingSettings.from(env, serviceName);
    boolean enabled = env.bool("METRICS_ENABLED", DEFAULT_METRICS_ENABLED);
    return new ProcessSettings(tracing, enabled,
        enabled ? MetricsSettings.from(env, defaultMetricsPort) : MetricsSettings.off());
  }
}
