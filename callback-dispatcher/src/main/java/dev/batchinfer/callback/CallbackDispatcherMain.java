package dev.batchinfer.callback;

import dev.batchinfer.config.Env;

/** Runs the dispatcher alone; configuration from environment variables (see README). */
public final class CallbackDispatcherMain {

  private CallbackDispatcherMain() {}

  public static void main(String[] args) {
    CallbackDispatcherApp app = CallbackDispatcherApp.create(DispatcherSettings.from(Env.system())).start();
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "callback-dispatcher-shutdown"));
  }
}
