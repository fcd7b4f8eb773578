package dev.batchinfer.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * One Lettuce connection and the key prefix every store of this system writes under. Lettuce
 * connections are thread-safe and pipeline concurrent commands, so one serves a whole store.
 */
public final class Redis implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String prefix;
  private volatile StatefulRedisConnection<String, byte[]> binary;

  private Redis(RedisClient client, String prefix) {
    this.client = client;
    this.connection = client.connect();
    this.prefix = prefix;
  }

  public static Redis connect(String redisUrl, String keyPrefix) {
    return new Redis(RedisClient.create(redisUrl), keyPrefix);
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
      try {
        return sync().evalsha(sha, type, keys, args);
      } catch (io.lettuce.core.RedisNoScriptException e) {
        sha = sync().scriptLoad(lua);
        return sync().evalsha(sha, type, keys, args);
      }
    }
  }

  public String prefix() {
    return prefix;
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
