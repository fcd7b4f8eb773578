package dev.batchinfer.embedded.proc;

import dev.batchinfer.embedded.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of {@code redis-server} processes on loopback, masters only (16384 slots split evenly by
 * {@code redis-cli --cluster create}), each with its AOF in a dir of its own. A node can be killed, paused or
 * restarted like any {@link RedisServer}; a restarted node keeps its slots (they are in its nodes.conf).
 */
public final class RedisCluster implements AutoCloseable {

  /** A node's cluster bus listens this far above its client port. */
  private static final int BUS_OFFSET = 10_000;

  private final List<RedisServer> masters;

  private RedisCluster(List<RedisServer> masters) {
    this.masters = List.copyOf(masters);
  }

  /** Starts {@code masters} nodes (three at least: Redis refuses a smaller cluster) and joins them into one. */
  public static RedisCluster start(Path dir, int masters) {
    if (masters < 3) {
      throw new IllegalArgumentException("a Redis Cluster needs 3 masters at least, asked for " + masters);
    }
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(RedisServer.startClusterNode(dir.resolve("redis-node-" + i), FreePorts.pickWithSibling(BUS_OFFSET),
            "everysec"));
      }
      List<String> create = new ArrayList<>(List.of(cli(), "--cluster", "create"));
      nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Command.run(create);
      RedisCluster started = new RedisCluster(nodes);
      started.awaitHealthy(Duration.ofMinutes(1));
      return started;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  /** Waits until every running node reports {@code cluster_state:ok} (all slots served). */
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (RedisServer node : masters) {
      while (!info(node).contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Redis Cluster node " + node.port() + " not ok in " + timeout + ": " + info(node));
        }
        Pause.millis(100);
      }
    }
  }

  private static String info(RedisServer node) {
    return Command.run(List.of(cli(), "-p", Integer.toString(node.port()), "cluster", "info"));
  }

  /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}: what REDIS_URL is set to. */
  public String url() {
    return "redis-cluster://" + masters.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
  }

  public List<RedisServer> masters() {
    return masters;
  }

  private static String cli() {
    return Path.of(RedisServer.binary()).resolveSibling("redis-cli").toString();
  }


  @Override
  public void close() {
    masters.forEach(RedisServer::close);
  }
}
