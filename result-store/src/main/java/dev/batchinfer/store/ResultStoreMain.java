package dev.batchinfer.store;

import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.store.model.RolloutGuard;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs the result-store service alone. Reads CommonSettings and STREAMS_STATE_DIR. */
public final class ResultStoreMain {

  private ResultStoreMain() {}

  public static void main(String[] args) throws InterruptedException {
    Env env = Env.system();
    CommonSettings settings = CommonSettings.from(env);
    Path stateDir = Path.of(env.string("STREAMS_STATE_DIR", System.getProperty("java.io.tmpdir") + "/batch-inference-streams"));
    Path artifacts = Path.of(env.string("MODEL_ARTIFACTS", "model-artifacts"));
    // The rollout guard watches the models on disk; without them the service keeps progress only.
    ResultStoreApp app = (java.nio.file.Files.isDirectory(artifacts)
        ? ResultStoreApp.create(settings, stateDir, ModelCatalog.load(artifacts).modelIds(), RolloutGuard.Policy.from(env))
        : ResultStoreApp.create(settings, stateDir)).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      stopped.countDown();
    }, "result-store-shutdown"));
    stopped.await();
  }
}
