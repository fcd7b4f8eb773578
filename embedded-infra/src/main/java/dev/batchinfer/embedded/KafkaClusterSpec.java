package dev.batchinfer.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * The shape of a KRaft cluster on loopback: its id and, for every node (each a broker and a controller voter),
 * the node id and both ports. Every node is started from the same spec, so they agree on the voters; the ports
 * are fixed for the cluster's life, so a restarted node is found where it was.
 */
public record KafkaClusterSpec(String clusterId, List<Node> nodes) {

  public record Node(int id, int brokerPort, int controllerPort) {}

  public KafkaClusterSpec {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("a cluster has one node at least");
    }
  }

  /** A new cluster of {@code size} nodes (ids 1..size) on free loopback ports. */
  public static KafkaClusterSpec onFreePorts(int size) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      nodes.add(new Node(i, FreePorts.pick(), FreePorts.pick()));
    }
    return new KafkaClusterSpec(Uuid.randomUuid().toString(), nodes);
  }

  public Node node(int id) {
    return nodes.stream().filter(n -> n.id() == id).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in " + this));
  }

  public int size() {
    return nodes.size();
  }

  /**
   * Copies of a topic on a cluster of {@code brokers}, as the system's own topics get them (topics.Replication):
   * three on three brokers or more, else one per broker.
   */
  public static short copies(int brokers) {
    return (short) Math.min(3, brokers);
  }

  /** Copies that must have a write before acks=all acknowledges it: two of three, else one. */
  public static int inSync(int brokers) {
    return brokers >= 3 ? 2 : 1;
  }

  /** Every broker's address: what a client is given. */
  public String bootstrapServers() {
    return nodes.stream().map(n -> KafkaNodeConfig.HOST + ":" + n.brokerPort()).collect(Collectors.joining(","));
  }

  /** {@code controller.quorum.voters}: a static voter set, every node a voter. */
  String voters() {
    return nodes.stream().map(n -> n.id() + "@" + KafkaNodeConfig.HOST + ":" + n.controllerPort())
        .collect(Collectors.joining(","));
  }

  /** One line for an environment variable: {@code clusterId;id:brokerPort:controllerPort,...}. */
  public String encode() {
    return clusterId + ";" + nodes.stream().map(n -> n.id() + ":" + n.brokerPort() + ":" + n.controllerPort())
        .collect(Collectors.joining(","));
  }

  public static KafkaClusterSpec decode(String line) {
    String[] parts = line.split(";", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("not a cluster spec (clusterId;id:brokerPort:controllerPort,...): " + line);
    }
    List<Node> nodes = new ArrayList<>();
    for (String n : parts[1].split(",")) {
      String[] f = n.split(":");
      nodes.add(new Node(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2])));
    }
    return new KafkaClusterSpec(parts[0], nodes);
  }
}
