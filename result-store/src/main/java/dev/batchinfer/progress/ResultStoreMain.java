package dev.batchinfer.progress;

import dev.batchinfer.config.Env;
import dev.batchinfer.models.ModelCatalog;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/** Runs the progress service alone, configured by {@link ProgressSettings}. */
public final class ResultStoreMain {

  private ResultStoreMain() {}

  public static void main(String[] args) throws InterruptedException {
    ProgressSettings settings = ProgressSettings.from(Env.system());
    // The rollout guard watches the models on disk; without them the service keeps progress only.
    ResultStoreApp app = (Files.isDirectory(settings.modelArtifacts())
        ? ResultStoreApp.create(settings.common(), settings.stateDir(),
            ModelCatalog.load(settings.modelArtifacts()).modelIds(), settings.rollback())
        : ResultStoreApp.create(settings.common(), settings.stateDir())).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      stopped.countDown();
    }, "result-store-shutdown"));
    stopped.await();
  }
}
