package dev.batchinfer.bench.run;

import dev.batchinfer.store.batch.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Items finished across many batches, read straight from the batch records in Redis: how the spike
 * run sees the drain without loading the API it measures. One script call reads every open batch:
 * a spike leaves thousands open, and a command per batch each second made the load generator's own
 * Redis client the busiest code it ran (and compiled) during the spike.
 */
public final class ProgressWatch implements AutoCloseable {

  /** Per key: 1 if the batch is finished (completed or failed), then its done items (completed + failed). */
  private static final String READ = """
      local out = {}
      for i, key in ipairs(KEYS) do
        local f = redis.call('HMGET', key, 'status', 'completed', 'failed')
        out[2 * i - 1] = (f[1] == 'completed' or f[1] == 'failed') and 1 or 0
        out[2 * i] = (tonumber(f[2]) or 0) + (tonumber(f[3]) or 0)
      end
      return out
      """;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisKeys keys = new RedisKeys(Cluster.KEY_PREFIX);
  private final Map<String, Long> open = new ConcurrentHashMap<>();
  private volatile long finishedItems;

  public ProgressWatch(String redisUrl) {
    this.client = RedisClient.create(redisUrl);
    this.connection = client.connect();
  }

  public void track(String batchId, long items) {
    open.put(batchId, items);
  }

  /** Items done (completed or failed) in every tracked batch; finished batches are not read again. */
  public long doneItems() {
    List<String> ids = List.copyOf(open.keySet());
    if (ids.isEmpty()) {
      return finishedItems;
    }
    List<Long> read = connection.sync().eval(READ, ScriptOutputType.MULTI,
        ids.stream().map(keys::batch).toArray(String[]::new));
    long inFlightDone = 0;
    for (int i = 0; i < ids.size(); i++) {
      if (read.get(2 * i) == 1) {
        finishedItems += open.remove(ids.get(i));
      } else {
        inFlightDone += read.get(2 * i + 1);
      }
    }
    return finishedItems + inFlightDone;
  }

  /** Batches not yet completed. */
  public int openBatches() {
    return open.size();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
