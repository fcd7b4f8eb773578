package dev.batchinfer.worker;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.Tracing;

/** Runs one worker; configuration from environment variables (see README). */
public final class GpuWorkerMain {

  private GpuWorkerMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    WorkerSettings settings = WorkerSettings.from(env);
    Tracing.install(env, "gpu-worker");
    Metrics metrics = Metrics.forProcess();
    MetricsServer server = MetricsServer.start(MetricsSettings.from(env, MetricsSettings.DEFAULT_WORKER_PORT), metrics);
    GpuWorkerApp app = GpuWorkerApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), metrics).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      if (server != null) {
        server.close();
      }
      metrics.close();
    }, "gpu-worker-shutdown"));
  }
}
