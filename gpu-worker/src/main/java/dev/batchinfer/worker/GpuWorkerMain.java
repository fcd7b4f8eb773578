package dev.batchinfer.worker;

import dev.batchinfer.config.Env;

/** Runs one worker; configuration from environment variables (see README). */
public final class GpuWorkerMain {

  private GpuWorkerMain() {}

  public static void main(String[] args) {
    GpuWorkerApp app = GpuWorkerApp.create(WorkerSettings.from(Env.system())).start();
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "gpu-worker-shutdown"));
  }
}
