package dev.batchinfer.api.submit;

import dev.batchinfer.api.limits.TenantLimits;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStore;
import dev.batchinfer.topics.message.ChunkHeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a validated batch: records it, commits every chunk to Kafka, and only then returns. Any
 * failure after validation removes the record, so a client that got an error can simply retry.
 */
public final class BatchAcceptor {

  private static final Logger log = LoggerFactory.getLogger(BatchAcceptor.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final BatchStore store;
  private final ChunkPublisher publisher;
  private final Clock clock;
  private final int estimatedItemsPerSecond;
  private final TenantLimits limits;
  private final java.time.Duration defaultWindow;
  private final java.time.Duration defaultRetention;

  public BatchAcceptor(BatchStore store, ChunkPublisher publisher, Clock clock, int estimatedItemsPerSecond,
      TenantLimits limits, java.time.Duration defaultWindow, java.time.Duration defaultRetention) {
    this.defaultRetention = defaultRetention;
    this.limits = limits;
    this.defaultWindow = defaultWindow;
    this.store = store;
    this.publisher = publisher;
    this.clock = clock;
    this.estimatedItemsPerSecond = estimatedItemsPerSecond;
  }

  /** @throws ApiException 503 with Retry-After if Redis or Kafka cannot take the batch */
  public BatchRecord accept(String batchId, String tenant, ParsedBatch batch) {
    limits.admitItems(tenant, batchId, batch.totalItems());
    Instant created = clock.instant();
    // A static estimate from configured throughput; it does not yet look at the queue.
    Instant eta = created.plusMillis(Math.max(1, batch.totalItems() * 1000 / estimatedItemsPerSecond));
    long[] starts = batch.chunks().stream().mapToLong(c -> c.indexes()[0]).toArray();
    BatchRecord record = BatchRecord.queued(batchId, tenant, batch.model().model(), batch.model().version(), batch.priority(),
        batch.totalItems(), starts, batch.callbackUrl(), batch.callbackEvents(), batch.metadataJson(), created, eta,
        created.plus(batch.completionWindow() != null ? batch.completionWindow() : defaultWindow),
        batch.retention() != null ? batch.retention() : defaultRetention);
    try {
      store.create(record);
    } catch (RuntimeException e) {
      log.warn("batch {}: cannot record it in Redis: {}", batchId, e.toString());
      releaseQuietly(tenant, batchId);
      throw ApiException.unavailable("the batch store is unavailable; nothing was accepted", RETRY_AFTER);
    }
    ChunkHeader template = new ChunkHeader(batchId, 0, batch.chunks().size(), batch.totalItems(),
        batch.model().model(), batch.model().version(), batch.priority(), created.toEpochMilli(), tenant);
    try {
      publisher.publish(batchId, template, batch.chunks());
    } catch (ChunkPublisher.PublishException e) {
      log.warn("batch {}: {}", batchId, e.getMessage());
      deleteQuietly(batchId);
      throw ApiException.unavailable("the queue is unavailable; nothing was accepted", RETRY_AFTER);
    }
    log.info("batch {} queued: {} items in {} chunks for {} at priority {}", batchId, batch.totalItems(),
        batch.chunks().size(), batch.model().id(), batch.priority().wire());
    return record;
  }

  private void releaseQuietly(String tenant, String batchId) {
    try {
      store.releaseQueued(tenant, batchId);
    } catch (RuntimeException e) {
      log.warn("batch {}: its queued-items reservation stays until Redis is back: {}", batchId, e.toString());
    }
  }

  private void deleteQuietly(String batchId) {
    try {
      store.delete(batchId);
    } catch (RuntimeException e) {
      // The record then says "queued" for a batch with no chunks; log loudly so it is visible.
      log.error("batch {}: publish failed and its record could not be removed: {}", batchId, e.toString());
    }
  }
}
