package dev.batchinfer.api;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.Readiness;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;

/** Runs the producer API alone; configuration comes from environment variables (see README). */
public final class ProducerApiMain {

  private ProducerApiMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    ApiSettings settings = ApiSettings.from(env);
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "producer-api",
        MetricsSettings.DEFAULT_API_PORT));
    ProducerApiApp app = ProducerApiApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), process.metrics()).start();
    // Whether it can take submits (Redis reachable) is GET /health on the API port; here: it serves.
    process.readyWhen(() -> Readiness.ready("serving on port " + app.port()));
    process.stopOnShutdown(app, "producer-api-shutdown");
  }
}
