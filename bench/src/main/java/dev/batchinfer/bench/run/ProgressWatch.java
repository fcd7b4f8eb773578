package dev.batchinfer.bench.run;

import dev.batchinfer.store.batch.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Items finished across many batches, read straight from the batch records in Redis in one
 * pipelined round: how the spike run sees the drain without loading the API it measures.
 */
public final class ProgressWatch implements AutoCloseable {

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
    List<String> ids = new ArrayList<>(open.keySet());
    List<RedisFuture<List<io.lettuce.core.KeyValue<String, String>>>> reads = new ArrayList<>(ids.size());
    connection.setAutoFlushCommands(false);
    try {
      for (String id : ids) {
        reads.add(connection.async().hmget(keys.batch(id), "status", "completed", "failed"));
      }
      connection.flushCommands();
    } finally {
      connection.setAutoFlushCommands(true);
    }
    long inFlightDone = 0;
    for (int i = 0; i < ids.size(); i++) {
      try {
        List<io.lettuce.core.KeyValue<String, String>> f = reads.get(i).get(30, TimeUnit.SECONDS);
        long done = count(f.get(1)) + count(f.get(2));
        String status = f.get(0).getValueOrElse("");
        if (status.equals("completed") || status.equals("failed")) {
          finishedItems += open.remove(ids.get(i));
        } else {
          inFlightDone += done;
        }
      } catch (Exception e) {
        throw new IllegalStateException("cannot read batch progress: " + e.getMessage(), e);
      }
    }
    return finishedItems + inFlightDone;
  }

  private static long count(io.lettuce.core.KeyValue<String, String> v) {
    String s = v.getValueOrElse("");
    return s.isEmpty() ? 0 : Long.parseLong(s);
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
