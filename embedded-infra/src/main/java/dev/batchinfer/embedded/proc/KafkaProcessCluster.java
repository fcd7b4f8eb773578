package dev.batchinfer.embedded.proc;

import dev.batchinfer.embedded.KafkaClusterSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * A KRaft cluster of N nodes, each a {@link BrokerMain} in an OS process of its own on loopback (broker and
 * controller voter in one), with its data in a dir of its own: a node can be killed with SIGKILL, paused, or
 * started again on its ports and data. The chaos suite, the scale-out tests and the bench run on it.
 */
public final class KafkaProcessCluster implements AutoCloseable {

  private final KafkaClusterSpec spec;
  private final List<Service> nodes;
  private final Admin admin;

  private KafkaProcessCluster(KafkaClusterSpec spec, List<Service> nodes) {
    this.spec = spec;
    this.nodes = List.copyOf(nodes);
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"));
  }

  /**
   * Starts {@code size} nodes side by side (a node answers only once a quorum of voters runs) and waits until
   * every broker is registered.
   */
  public static KafkaProcessCluster start(Path dir, int size, String heap) {
    KafkaClusterSpec spec = KafkaClusterSpec.onFreePorts(size);
    List<Service> nodes = new ArrayList<>();
    for (KafkaClusterSpec.Node n : spec.nodes()) {
      String name = size == 1 ? "kafka-broker" : "kafka-broker-" + n.id();
      nodes.add(new Service(name, BrokerMain.class.getName(), heap, List.of("-XX:+UseG1GC"), Map.of(
          "BROKER_DATA_DIR", Dirs.create(dir.resolve(name)).toString(),
          "BROKER_CLUSTER", spec.encode(),
          "BROKER_NODE_ID", Integer.toString(n.id())), dir));
    }
    KafkaProcessCluster cluster = new KafkaProcessCluster(spec, nodes);
    try {
      nodes.forEach(Service::start);
      cluster.awaitBrokers(size, Duration.ofMinutes(3));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Waits until {@code count} brokers are registered and unfenced. */
  public void awaitBrokers(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (registered() >= count) {
        return;
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        nodes.forEach(n -> logs.append("\n--- ").append(n.name()).append(n.isRunning() ? "" : " (not running)")
            .append(":\n").append(n.jvm().tail(15)));
        throw new IllegalStateException(count + " Kafka brokers not registered in " + timeout + " (have " + registered()
            + ")" + logs);
      }
      Pause.millis(200);
    }
  }

  private int registered() {
    try {
      return admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS).size();
    } catch (Exception notYet) {
      return 0;
    }
  }

  /** Starts every node that is not running (after a kill) on its ports and data, and waits for all brokers. */
  public void startStopped() {
    nodes.forEach(Service::start);
    awaitBrokers(nodes.size(), Duration.ofMinutes(2));
  }

  public String bootstrapServers() {
    return spec.bootstrapServers();
  }

  public List<Service> nodes() {
    return nodes;
  }

  public int size() {
    return nodes.size();
  }

  /** An admin client of the cluster, closed with it. */
  public Admin admin() {
    return admin;
  }



  /**
   * Stops every node. One node stops cleanly on SIGTERM; of several, all but the first get SIGKILL: once the
   * quorum is gone the last voters would spend their whole grace period on a controlled shutdown nobody can
   * acknowledge, and a harness's cluster keeps nothing worth the wait.
   */
  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
    for (int i = 0; i < nodes.size(); i++) {
      Service node = nodes.get(i);
      if (i > 0 && node.isRunning()) {
        node.kill9();
      }
      node.close();
    }
  }
}
