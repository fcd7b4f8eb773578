package dev.batchinfer.observability;

/**
 * What every service's main sets up before the service itself: the tracer the settings ask for,
 * the process's metrics registry and its management server (metrics and health probes); and, once
 * the service runs, its readiness check and the shutdown hook that reports it not ready, stops the
 * service first and the management server and registry after it.
 */
public final class ServiceProcess implements AutoCloseable {

  private final Metrics metrics;
  private final MetricsServer server;

  private ServiceProcess(Metrics metrics, MetricsServer server) {
    this.metrics = metrics;
    this.server = server;
  }

  /** Metrics disabled: a no-op registry and no management server (the benchmark's P8 measures the difference). */
  public static ServiceProcess start(ProcessSettings settings) {
    Tracing.install(settings.tracing());
    if (!settings.metricsEnabled()) {
      return new ServiceProcess(Metrics.disabled(), null);
    }
    Metrics metrics = Metrics.forProcess();
    return new ServiceProcess(metrics, MetricsServer.start(settings.metrics(), metrics));
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The management port serving GET /metrics, or -1 when there is none. */
  public int metricsPort() {
    return server == null ? -1 : server.port();
  }

  /**
   * What {@code GET /health/ready} answers from now on (before this call: 503 "starting"). Without a
   * management server (METRICS_PORT=off, METRICS_ENABLED=false) there is no probe to answer.
   */
  public void readyWhen(Readiness.Check check) {
    if (server != null) {
      server.readiness(check);
    }
  }

  /** Stops the management server and the registry (after the services that count on it). */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    metrics.close();
  }

  /** Stops {@code service} (draining it), then the management server, on SIGTERM or exit. */
  public void stopOnShutdown(AutoCloseable service, String threadName) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Not ready from the first moment of the drain, so no new work is routed here meanwhile.
      readyWhen(() -> Readiness.notReady("stopping"));
      try {
        service.close();
      } catch (Exception e) {
        System.err.println("while stopping: " + e);
      }
      close();
    }, threadName));
  }
}
