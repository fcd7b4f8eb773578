package dev.batchinfer.progress;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.Tracing;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/** Runs the progress service alone, configured by {@link ProgressSettings}. */
public final class ResultStoreMain {

  private ResultStoreMain() {}

  public static void main(String[] args) throws InterruptedException {
    Env env = Env.system();
    ProgressSettings settings = ProgressSettings.from(env);
    Tracing.install(env, "result-store");
    Metrics metrics = Metrics.forProcess();
    MetricsServer metricsServer = MetricsServer.start(MetricsSettings.from(env, MetricsSettings.DEFAULT_PROGRESS_PORT), metrics);
    // The rollout guard watches the models on disk; without them the service keeps progress only.
    ResultStoreApp app = (Files.isDirectory(settings.modelArtifacts())
        ? ResultStoreApp.create(settings.common(), settings.stateDir(),
            ModelCatalog.load(settings.modelArtifacts()).modelIds(), settings.rollback(), metrics.registry())
        : ResultStoreApp.create(settings.common(), settings.stateDir(), metrics.registry())).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      if (metricsServer != null) {
        metricsServer.close();
      }
      metrics.close();
      stopped.countDown();
    }, "result-store-shutdown"));
    stopped.await();
  }
}
