package dev.batchinfer.worker;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;

/** Runs one worker; configuration from environment variables (see README). */
public final class GpuWorkerMain {

  private GpuWorkerMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    WorkerSettings settings = WorkerSettings.from(env);
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "gpu-worker",
        MetricsSettings.DEFAULT_WORKER_PORT));
    GpuWorkerApp app = GpuWorkerApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), process.metrics()).start();
    process.readyWhen(app::readiness);
    process.stopOnShutdown(app, "gpu-worker-shutdown");
  }
}
