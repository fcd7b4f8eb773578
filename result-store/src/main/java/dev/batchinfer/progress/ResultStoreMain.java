package dev.batchinfer.progress;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;
import java.nio.file.Files;
import java.util.Collection;
import java.util.List;

/** Runs the progress service alone, configured by {@link ProgressSettings}. */
public final class ResultStoreMain {

  private ResultStoreMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    ProgressSettings settings = ProgressSettings.from(env);
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "result-store",
        MetricsSettings.DEFAULT_PROGRESS_PORT));
    var meters = process.metrics().registry();
    // The rollout guard watches the models on disk; without them the service keeps progress only.
    // Kafka Streams' threads keep the process alive until the shutdown hook closes the service.
    Collection<String> models = Files.isDirectory(settings.modelArtifacts())
        ? ModelCatalog.load(settings.modelArtifacts()).modelIds() : List.of();
    ResultStoreApp app = ResultStoreApp.create(settings, models, meters).start();
    process.readyWhen(app::readiness);
    process.stopOnShutdown(app, "result-store-shutdown");
  }
}
