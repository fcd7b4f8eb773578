package dev.batchinfer.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.util.List;

/**
 * The one Redis client of a process: one Lettuce client, one connection (and one for binary values, opened
 * on first use), and the key catalogue every store of this system writes under. Lettuce connections are
 * thread-safe and pipeline concurrent commands, so one serves every store of a process; stores take this,
 * never a URL, so a process cannot open a second client by accident.
 *
 * <p>{@code REDIS_URL} names one server ({@code redis://host:6379}) or a Redis Cluster
 * ({@code redis-cluster://host1:7000,host2:7001}, see {@link RedisUrl}); stores see the commands both share,
 * and every multi-key command or script of theirs names keys of one hash tag ({@link RedisKeys}), so the cluster
 * client routes each to the one node that owns its slot.
 */
public final class Redis implements AutoCloseable {

  /**
   * A command not answered within this fails (RedisCommandTimeoutException) instead of holding its caller for
   * Lettuce's default minute; callers turn that into a pause and retry (worker) or a 503 (API).
   * {@code REDIS_URL}'s {@code timeout} parameter ({@code redis://host:6379?timeout=2s}) overrides it.
   */
  public static final java.time.Duration DEFAULT_COMMAND_TIMEOUT = java.time.Duration.ofSeconds(5);

  /**
   * How often a cluster client asks for the slot map when nothing told it the map changed. MOVED/ASK answers and
   * reconnects refresh it at once (adaptive triggers); this catches a failover no command of ours ran into.
   */
  private static final java.time.Duration TOPOLOGY_REFRESH = java.time.Duration.ofSeconds(30);

  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> sync;
  private final RedisClusterAsyncCommands<String, String> async;
  private final RedisKeys keys;
  private final java.time.Duration timeout;
  private final boolean cluster;
  private volatile StatefulConnection<String, byte[]> binary;
  private volatile RedisClusterAsyncCommands<String, byte[]> binaryAsync;

  private Redis(AbstractRedisClient client, StatefulConnection<String, String> connection,
      RedisClusterCommands<String, String> sync, RedisClusterAsyncCommands<String, String> async,
      java.time.Duration timeout, String prefix) {
    this.client = client;
    this.connection = connection;
    this.sync = sync;
    this.async = async;
    this.timeout = timeout;
    this.keys = new RedisKeys(prefix);
    this.cluster = client instanceof RedisClusterClient;
  }

  public static Redis connect(String redisUrl, String keyPrefix) {
    return connect(redisUrl, keyPrefix, "batchinfer");
  }

  /**
   * @param clientName what {@code CLIENT LIST} shows for this process's connections (the service and its key
   *     prefix), so an operator sees who holds them
   */
  public static Redis connect(String redisUrl, String keyPrefix, String clientName) {
    RedisUrl url = RedisUrl.parse(redisUrl);
    List<RedisURI> nodes = url.nodes();
    for (RedisURI uri : nodes) {
      if (!url.setsTimeout()) {
        uri.setTimeout(DEFAULT_COMMAND_TIMEOUT);
      }
      uri.setClientName(clientName(clientName, keyPrefix));
    }
    java.time.Duration timeout = nodes.get(0).getTimeout();
    // Commands queued while disconnected time out too, rather than wait for the reconnect.
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    if (!url.isCluster()) {
      RedisClient client = RedisClient.create(nodes.get(0));
      client.setOptions(ClientOptions.builder().timeoutOptions(timeouts).build());
      StatefulRedisConnection<String, String> c = client.connect();
      return new Redis(client, c, c.sync(), c.async(), timeout, keyPrefix);
    }
    RedisClusterClient client = RedisClusterClient.create(nodes);
    client.setOptions(ClusterClientOptions.builder().timeoutOptions(timeouts)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(TOPOLOGY_REFRESH).enableAllAdaptiveRefreshTriggers().build())
        .build());
    StatefulRedisClusterConnection<String, String> c = client.connect();
    return new Redis(client, c, c.sync(), c.async(), timeout, keyPrefix);
  }

  /** Whether this is a Redis Cluster's client. */
  public boolean isCluster() {
    return cluster;
  }

  /** How long a command may take before it fails; {@link #await} waits this long. */
  public java.time.Duration timeout() {
    return timeout;
  }

  public RedisClusterCommands<String, String> sync() {
    return sync;
  }

  public RedisClusterAsyncCommands<String, String> async() {
    return async;
  }

  /** Commands whose values are bytes (keys stay strings); its connection is opened on first use. */
  public RedisClusterAsyncCommands<String, byte[]> binaryAsync() {
    RedisClusterAsyncCommands<String, byte[]> c = binaryAsync;
    if (c == null) {
      synchronized (this) {
        if (binaryAsync == null) {
          RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
          if (client instanceof RedisClusterClient cc) {
            StatefulRedisClusterConnection<String, byte[]> b = cc.connect(codec);
            binary = b;
            binaryAsync = b.async();
          } else {
            StatefulRedisConnection<String, byte[]> b = ((RedisClient) client).connect(codec);
            binary = b;
            binaryAsync = b.async();
          }
        }
        c = binaryAsync;
      }
    }
    return c;
  }

  /** A Lua script run by its SHA, loaded again if Redis forgot it (restart, failover, SCRIPT FLUSH). */
  public Script script(String lua) {
    return new Script(lua);
  }

  /** @see #script */
  public final class Script {
    private final String lua;
    private volatile String sha;

    private Script(String lua) {
      this.lua = lua;
      this.sha = sync().scriptLoad(lua);
    }

    public <T> T run(io.lettuce.core.ScriptOutputType type, String[] keys, String... args) {
      return await(runAsync(type, keys, args));
    }

    /** Sent now, answered later: lets a caller overlap it with other commands. */
    public <T> java.util.concurrent.CompletableFuture<T> runAsync(io.lettuce.core.ScriptOutputType type, String[] keys,
        String... args) {
      return async().<T>evalsha(sha, type, keys, args).toCompletableFuture().exceptionallyCompose(e -> {
        if (!(cause(e) instanceof io.lettuce.core.RedisNoScriptException)) {
          return java.util.concurrent.CompletableFuture.failedFuture(cause(e));
        }
        return async().scriptLoad(lua).toCompletableFuture().thenCompose(loaded -> {
          sha = loaded;
          return async().<T>evalsha(loaded, type, keys, args).toCompletableFuture();
        });
      });
    }
  }

  /**
   * Waits for commands sent asynchronously as a synchronous call would, failing as it would. The commands carry
   * their own timeout; this bound is a backstop a little past the longest one a URL is likely to set.
   */
  public static <T> T await(java.util.concurrent.CompletionStage<T> reply) {
    try {
      return reply.toCompletableFuture().get(AWAIT_BACKSTOP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.lettuce.core.RedisCommandInterruptedException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw cause(e) instanceof RuntimeException re ? re : new io.lettuce.core.RedisException(cause(e));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new io.lettuce.core.RedisCommandTimeoutException("Redis did not answer within " + AWAIT_BACKSTOP);
    }
  }

  /** Waits for pipelined commands as a synchronous call would, failing as it would. */
  public static void awaitAll(java.util.List<? extends io.lettuce.core.RedisFuture<?>> commands) {
    await(java.util.concurrent.CompletableFuture.allOf(
        commands.stream().map(f -> f.toCompletableFuture()).toArray(java.util.concurrent.CompletableFuture[]::new)));
  }

  private static final java.time.Duration AWAIT_BACKSTOP = java.time.Duration.ofSeconds(65);

  private static Throwable cause(Throwable e) {
    return (e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null ? e.getCause() : e;
  }

  /** Redis refuses a client name with spaces or control characters. */
  static String clientName(String service, String keyPrefix) {
    return (service + "@" + keyPrefix).replaceAll("[^!-~]", "_");
  }

  public RedisKeys keys() {
    return keys;
  }

  @Override
  public void close() {
    StatefulConnection<String, byte[]> b = binary;
    if (b != null) {
      b.close();
    }
    connection.close();
    client.shutdown();
  }
}
