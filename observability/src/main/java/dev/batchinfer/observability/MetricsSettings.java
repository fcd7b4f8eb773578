package dev.batchinfer.observability;

import dev.batchinfer.config.Env;

/**
 * Where a process serves {@code GET /metrics}. The management port is separate from the API port
 * and unauthenticated, so it binds to loopback unless told otherwise: expose it only to Prometheus.
 *
 * @param host METRICS_HOST, the address the management server binds to
 * @param port METRICS_PORT: a port, 0 for any free one, or {@code off} for no management server
 *     (the registry still counts; the API can serve it itself)
 */
public record MetricsSettings(String host, int port) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int OFF = -1;
  /** Each service's default management port, so that one machine runs all of them at once. */
  public static final int DEFAULT_STANDALONE_PORT = 9400;
  public static final int DEFAULT_API_PORT = 9401;
  public static final int DEFAULT_WORKER_PORT = 9402;
  public static final int DEFAULT_PROGRESS_PORT = 9403;
  public static final int DEFAULT_DISPATCHER_PORT = 9404;

  public static MetricsSettings from(Env env, int defaultPort) {
    String host = env.string("METRICS_HOST", DEFAULT_HOST);
    String port = env.string("METRICS_PORT", Integer.toString(defaultPort)).trim();
    if (port.equalsIgnoreCase("off")) {
      return new MetricsSettings(host, OFF);
    }
    return new MetricsSettings(host, env.integer("METRICS_PORT", defaultPort, 0, 65535));
  }

  public static MetricsSettings off() {
    return new MetricsSettings(DEFAULT_HOST, OFF);
  }

  public boolean enabled() {
    return port != OFF;
  }
}
