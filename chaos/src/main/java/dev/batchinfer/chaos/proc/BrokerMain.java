package dev.batchinfer.chaos.proc;

import dev.batchinfer.embedded.EmbeddedKafka;
import java.nio.file.Path;

/**
 * The benchmark's Kafka broker (KRaft, one node) in a JVM of its own, as a broker runs in
 * production: its CPU, heap and JIT are its own, apart from the load generator's. Reads its data
 * dir and port from {@code BROKER_DATA_DIR} and {@code BROKER_PORT}, prints {@link #READY} once it
 * takes requests, and stops on SIGTERM.
 */
public final class BrokerMain {

  public static final String READY = "broker ready at ";

  private BrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(System.getenv("BROKER_DATA_DIR")),
        Integer.parseInt(System.getenv("BROKER_PORT")));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-shutdown"));
    System.out.println(READY + kafka.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
