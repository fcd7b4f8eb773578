package dev.batchinfer.store;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code REDIS_URL} read into the nodes Lettuce connects to. One server is a Redis URI as Lettuce reads it
 * ({@code redis://[:password@]host:6379[/db][?timeout=3s]}, {@code rediss://} for TLS). A Redis Cluster is
 * {@code redis-cluster://[user:password@]host1:7000,host2:7001[?timeout=3s]} ({@code rediss-cluster://} for TLS):
 * any reachable node gives the client the whole slot map, so listing a few is enough; the credentials and the
 * query apply to every node.
 */
public record RedisUrl(boolean isCluster, List<RedisURI> nodes, boolean setsTimeout) {

  private static final String CLUSTER = "redis-cluster://";
  private static final String CLUSTER_TLS = "rediss-cluster://";

  public static RedisUrl parse(String url) {
    boolean timeout = url.contains("timeout=");
    boolean tls = url.startsWith(CLUSTER_TLS);
    if (!tls && !url.startsWith(CLUSTER)) {
      return new RedisUrl(false, List.of(RedisURI.create(url)), timeout);
    }
    String rest = url.substring((tls ? CLUSTER_TLS : CLUSTER).length());
    int at = rest.lastIndexOf('@');
    String credentials = at < 0 ? "" : rest.substring(0, at + 1);
    rest = rest.substring(at + 1);
    int q = rest.indexOf('?');
    String query = q < 0 ? "" : rest.substring(q);
    String hosts = q < 0 ? rest : rest.substring(0, q);
    List<RedisURI> nodes = new ArrayList<>();
    for (String node : hosts.split(",")) {
      if (node.isBlank() || !node.contains(":")) {
        throw new IllegalArgumentException("a Redis Cluster node must be host:port, got '" + node + "' in " + url);
      }
      nodes.add(RedisURI.create((tls ? "rediss://" : "redis://") + credentials + node.strip() + query));
    }
    return new RedisUrl(true, List.copyOf(nodes), timeout);
  }
}
