package dev.batchinfer.api;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.Tracing;

/** Runs the producer API alone; configuration comes from environment variables (see README). */
public final class ProducerApiMain {

  private ProducerApiMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    ApiSettings settings = ApiSettings.from(env);
    Tracing.install(env, "producer-api");
    Metrics metrics = Metrics.forProcess();
    MetricsServer server = MetricsServer.start(MetricsSettings.from(env, MetricsSettings.DEFAULT_API_PORT), metrics);
    ProducerApiApp app = ProducerApiApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), metrics).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      if (server != null) {
        server.close();
      }
      metrics.close();
    }, "producer-api-shutdown"));
  }
}
