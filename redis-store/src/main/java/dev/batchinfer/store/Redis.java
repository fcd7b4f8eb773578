package dev.batchinfer.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The one Redis client of a process: one Lettuce client, one connection (and one for binary values, opened
 * on first use), and the key catalogue every store of this system writes under. Lettuce connections are
 * thread-safe and pipeline concurrent commands, so one serves every store of a process; stores take this,
 * never a URL, so a process cannot open a second client by accident.
 */
public final class Redis implements AutoCloseable {

  /**
   * A command not answered within this fails (RedisCommandTimeoutException) instead of holding its caller for
   * Lettuce's default minute; callers turn that into a pause and retry (worker) or a 503 (API).
   * {@code REDIS_URL}'s {@code timeout} parameter ({@code redis://host:6379?timeout=2s}) overrides it.
   */
  public static final java.time.Duration DEFAULT_COMMAND_TIMEOUT = java.time.Duration.ofSeconds(5);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisKeys keys;
  private final java.time.Duration timeout;
  private volatile StatefulRedisConnection<String, byte[]> binary;

  private Redis(RedisClient client, java.time.Duration timeout, String prefix) {
    this.client = client;
    this.timeout = timeout;
    this.connection = client.connect();
    this.keys = new RedisKeys(prefix);
  }

  public static Redis connect(String redisUrl, String keyPrefix) {
    return connect(redisUrl, keyPrefix, "batchinfer");
  }

  /**
   * @param clientName what {@code CLIENT LIST} shows for this process's connections (the service and its key
   *     prefix), so an operator sees who holds them
   */
  public static Redis connect(String redisUrl, String keyPrefix, String clientName) {
    io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(redisUrl);
    if (!redisUrl.contains("timeout=")) {
      uri.setTimeout(DEFAULT_COMMAND_TIMEOUT);
    }
    uri.setClientName(clientName(clientName, keyPrefix));
    RedisClient client = RedisClient.create(uri);
    // Commands queued while disconnected time out too, rather than wait for the reconnect.
    client.setOptions(io.lettuce.core.ClientOptions.builder()
        .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled(uri.getTimeout())).build());
    return new Redis(client, uri.getTimeout(), keyPrefix);
  }

  /** How long a command may take before it fails; {@link #await} waits this long. */
  public java.time.Duration timeout() {
    return timeout;
  }

  public RedisCommands<String, String> sync() {
    return connection.sync();
  }

  public RedisAsyncCommands<String, String> async() {
    return connection.async();
  }

  /** Commands whose values are bytes (keys stay strings); its connection is opened on first use. */
  public RedisAsyncCommands<String, byte[]> binaryAsync() {
    StatefulRedisConnection<String, byte[]> c = binary;
    if (c == null) {
      synchronized (this) {
        if (binary == null) {
          binary = client.connect(io.lettuce.core.codec.RedisCodec.of(io.lettuce.core.codec.StringCodec.UTF8,
              io.lettuce.core.codec.ByteArrayCodec.INSTANCE));
        }
        c = binary;
      }
    }
    return c.async();
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
    if (binary != null) {
      binary.close();
    }
    connection.close();
    client.shutdown();
  }
}
