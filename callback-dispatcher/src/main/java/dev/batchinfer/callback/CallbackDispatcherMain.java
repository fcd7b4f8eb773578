package dev.batchinfer.callback;

import dev.batchinfer.config.Env;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.Tracing;

/** Runs the dispatcher alone; configuration from environment variables (see README). */
public final class CallbackDispatcherMain {

  private CallbackDispatcherMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    Tracing.install(env, "callback-dispatcher");
    Metrics metrics = Metrics.forProcess();
    MetricsServer server = MetricsServer.start(MetricsSettings.from(env, MetricsSettings.DEFAULT_DISPATCHER_PORT), metrics);
    CallbackDispatcherApp app = CallbackDispatcherApp.create(DispatcherSettings.from(env), metrics).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      if (server != null) {
        server.close();
      }
      metrics.close();
    }, "callback-dispatcher-shutdown"));
  }
}
