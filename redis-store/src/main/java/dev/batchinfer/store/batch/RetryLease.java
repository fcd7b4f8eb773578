package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;
import io.lettuce.core.SetArgs;
import java.time.Duration;

/** A short lease so one batch is retried by one request at a time. */
public final class RetryLease {

  private final Redis redis;

  public RetryLease(Redis redis) {
    this.redis = redis;
  }

  /** True if taken. */
  public boolean take(String batchId, Duration lease) {
    return "OK".equals(redis.sync().set(redis.keys().retryLease(batchId), "1", SetArgs.Builder.nx().px(lease.toMillis())));
  }

  public void release(String batchId) {
    redis.sync().del(redis.keys().retryLease(batchId));
  }
}
