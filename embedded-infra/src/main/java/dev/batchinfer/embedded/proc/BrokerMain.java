package dev.batchinfer.embedded.proc;

import dev.batchinfer.embedded.EmbeddedKafka;
import dev.batchinfer.embedded.KafkaClusterSpec;
import java.nio.file.Path;

/**
 * A Kafka node (KRaft, broker and controller) in a JVM of its own, as a broker runs in production: its CPU,
 * heap and JIT are its own, and it can be killed alone. Reads its data dir from {@code BROKER_DATA_DIR}, and
 * either {@code BROKER_PORT} (a cluster of one) or {@code BROKER_CLUSTER} (a {@link KafkaClusterSpec#encode()})
 * with {@code BROKER_NODE_ID}; prints {@link #READY} once it takes requests, and stops on SIGTERM.
 */
public final class BrokerMain {

  public static final String READY = "broker ready at ";

  private BrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path data = Path.of(System.getenv("BROKER_DATA_DIR"));
    String cluster = System.getenv("BROKER_CLUSTER");
    EmbeddedKafka kafka = cluster == null
        ? EmbeddedKafka.start(data, Integer.parseInt(System.getenv("BROKER_PORT")))
        : EmbeddedKafka.startNode(data, KafkaClusterSpec.decode(cluster), Integer.parseInt(System.getenv("BROKER_NODE_ID")));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-shutdown"));
    System.out.println(READY + kafka.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
