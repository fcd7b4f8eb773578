package dev.batchinfer.bench.run;

import dev.batchinfer.store.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Items finished across many batches, read straight from the batch records in Redis: how the spike
 * run sees the drain without loading the API it measures. A script call reads up to {@link #KEYS_PER_CALL}
 * open batches: a spike leaves thousands open, and a command per batch each second made the load
 * generator's own Redis client the busiest code it ran (and compiled) during the spike; one call for
 * all of them would hold up the system's own Redis commands meanwhile.
 */
public final class ProgressWatch implements AutoCloseable {

  static final int KEYS_PER_CALL = 500;
  /** Per key: 1 if the batch is finished (any final status), then its done items (completed + failed). */
  private static final String READ = """
      local out = {}
      for i, key in ipairs(KEYS) do
        local f = redis.call('HMGET', key, 'status', 'completed', 'failed')
        local final = f[1] == 'completed' or f[1] == 'failed' or f[1] == 'cancelled' or f[1] == 'expired'
        out[2 * i - 1] = final and 1 or 0
        out[2 * i] = (tonumber(f[2]) or 0) + (tonumber(f[3]) or 0)
      end
      return out
      """;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisKeys keys = new RedisKeys(Cluster.KEY_PREFIX);
  private final Set<String> open = ConcurrentHashMap.newKeySet();
  private volatile long finishedItems;

  public ProgressWatch(String redisUrl) {
    this.client = RedisClient.create(redisUrl);
    this.connection = client.connect();
  }

  public void track(String batchId) {
    open.add(batchId);
  }

  /** Items done (completed or failed) in every tracked batch; batches in a final status are not read again. */
  public long doneItems() {
    List<String> ids = List.copyOf(open);
    long inFlightDone = 0;
    for (int from = 0; from < ids.size(); from += KEYS_PER_CALL) {
      List<String> part = ids.subList(from, Math.min(ids.size(), from + KEYS_PER_CALL));
      List<Long> read = connection.sync().eval(READ, ScriptOutputType.MULTI,
          part.stream().map(keys::batch).toArray(String[]::new));
      for (int i = 0; i < part.size(); i++) {
        if (read.get(2 * i) == 1) {
          open.remove(part.get(i)); // not read again: its count is final
          finishedItems += read.get(2 * i + 1);
        } else {
          inFlightDone += read.get(2 * i + 1);
        }
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
