package dev.batchinfer.store.batch;

import dev.batchinfer.store.Redis;

/** The stores of batches, one per concern, over a process's one {@link Redis}. */
public record BatchStores(
    Redis redis,
    BatchRecords records,
    BatchQueue queue,
    TenantQuota quota,
    Deadlines deadlines,
    CustomIds customIds,
    SkipFlags flags,
    RetryLease retryLease,
    ChunkResults results,
    FailedInputs failedInputs,
    Retention retention,
    PendingBatches pending,
    ParkedChunks parked,
    OpenBatches open) {

  public static BatchStores over(Redis redis) {
    BatchQueue queue = new BatchQueue(redis);
    Deadlines deadlines = new Deadlines(redis);
    CustomIds customIds = new CustomIds(redis);
    TenantQuota quota = new TenantQuota(redis);
    PendingBatches pending = new PendingBatches(redis);
    return new BatchStores(redis, new BatchRecords(redis, queue, deadlines, customIds, quota, pending), queue, quota,
        deadlines, customIds, new SkipFlags(redis), new RetryLease(redis), new ChunkResults(redis),
        new FailedInputs(redis), new Retention(redis), pending, new ParkedChunks(redis), new OpenBatches(redis));
  }
}
