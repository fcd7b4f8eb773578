package dev.batchinfer.api;

import dev.batchinfer.config.Env;

/** Runs the producer API alone; configuration comes from environment variables (see README). */
public final class ProducerApiMain {

  private ProducerApiMain() {}

  public static void main(String[] args) {
    ProducerApiApp app = ProducerApiApp.create(ApiSettings.from(Env.system())).start();
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "producer-api-shutdown"));
  }
}
