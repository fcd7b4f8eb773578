package dev.batchinfer.callback;

import dev.batchinfer.config.Env;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;

/** Runs the dispatcher alone; configuration from environment variables (see README). */
public final class CallbackDispatcherMain {

  private CallbackDispatcherMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    DispatcherSettings settings = DispatcherSettings.from(env);
    ServiceProcess process = ServiceProcess.start(ProcessSettings.from(env, "callback-dispatcher",
        MetricsSettings.DEFAULT_DISPATCHER_PORT));
    CallbackDispatcherApp app = CallbackDispatcherApp.create(settings, process.metrics()).start();
    process.readyWhen(app::readiness);
    process.stopOnShutdown(app, "callback-dispatcher-shutdown");
  }
}
