package dev.batchinfer.store.model;

import dev.batchinfer.store.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Each worker's last status report, for the dashboard: one JSON document a worker, written with its
 * heartbeat. A worker that stopped reporting is left out once its report is older than asked.
 */
public final class WorkerStatus {

  private final Redis redis;

  public WorkerStatus(Redis redis) {
    this.redis = redis;
  }

  /** @param json the report; it must carry {@code "at": <ms>} */
  public void report(String workerId, String json) {
    redis.async().hset(redis.keys().workerStatus(), workerId, json);
  }

  /** The reports, each read once, of workers heard from within {@code freshMs}; older ones are removed. */
  public <T> List<T> fresh(long nowMs, long freshMs, java.util.function.Function<String, T> read,
      java.util.function.ToLongFunction<T> reportedAt) {
    List<T> out = new ArrayList<>();
    for (Map.Entry<String, String> e : redis.sync().hgetall(redis.keys().workerStatus()).entrySet()) {
      T report = read.apply(e.getValue());
      if (nowMs - reportedAt.applyAsLong(report) <= freshMs) {
        out.add(report);
      } else {
        redis.async().hdel(redis.keys().workerStatus(), e.getKey());
      }
    }
    return out;
  }
}
