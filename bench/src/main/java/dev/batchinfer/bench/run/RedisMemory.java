package dev.batchinfer.bench.run;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/** Redis's own count of the memory it uses (INFO memory, used_memory). */
public final class RedisMemory implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  public RedisMemory(String url) {
    client = RedisClient.create(url);
    connection = client.connect();
  }

  public long usedBytes() {
    for (String line : connection.sync().info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO memory has no used_memory");
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
