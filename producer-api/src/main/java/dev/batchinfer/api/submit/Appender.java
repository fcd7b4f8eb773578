package dev.batchinfer.api.submit;

import dev.batchinfer.api.limits.TenantLimits;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.OpenBatches;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.ProgressEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends items to an open batch ({@code "open": true}), exactly as a submit accepts a batch: the append's chunks
 * and an {@link ProgressEvent.Appended} go to Kafka in one transaction, and the answer waits for the commit. One
 * append runs on a batch at a time (its slot in {@link OpenBatches}), numbering its items and chunks after the
 * batch's confirmed ones; what it adds is written to Redis before the commit and added to the record after it,
 * so an API that dies in between leaves the progress service's sweep to confirm or drop it by what reached Kafka.
 */
public final class Appender {

  private static final Logger log = LoggerFactory.getLogger(Appender.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final BatchStores store;
  private final ChunkPublisher publisher;
  private final ChunkPublisher uploads;
  private final TenantLimits limits;
  private final Clock clock;
  private final Duration uploadTimeout;

  public Appender(BatchStores store, ChunkPublisher publisher, ChunkPublisher uploads, TenantLimits limits, Clock clock,
      Duration uploadTimeout) {
    this.store = store;
    this.publisher = publisher;
    this.uploads = uploads;
    this.limits = limits;
    this.clock = clock;
    this.uploadTimeout = uploadTimeout;
  }

  /** What an append added. */
  public record Added(String appendId, long firstItem, long items, int firstChunk, int chunks) {
    public static Added of(String appendId, OpenBatches.Appended a) {
      return new Added(appendId, a.firstItem(), a.items(), a.firstChunk(), a.chunks());
    }
  }

  /**
   * Takes the batch's append slot: a 409 naming why if the batch takes no appends now.
   *
   * @param streamed its body arrives while its transaction is open (NDJSON, large raw): the upload producers
   */
  public Append begin(BatchRecord batch, String appendId, boolean streamed) {
    OpenControl.refuseUnlessOpen(batch, "append to");
    ChunkPublisher via = streamed ? uploads : publisher;
    Duration running = (streamed ? uploadTimeout : Duration.ZERO).plus(via.settleTime());
    OpenBatches.Begun begun;
    try {
      long now = clock.millis();
      begun = store.open().begin(batch.batchId(), appendId, now, now + running.toMillis());
    } catch (RuntimeException e) {
      throw new RetriableApiException("the batch store is unavailable; nothing was appended", RETRY_AFTER);
    }
    OpenControl.refuseUnlessHeld(begun.slot(), "append to");
    return new Append(via, batch, appendId, begun.total(), begun.chunks());
  }

  /** One append being accepted. Not thread-safe: one request feeds it. */
  public final class Append implements Consumer<Chunker.ChunkItems>, AutoCloseable {
    private final ChunkPublisher via;
    private final BatchRecord batch;
    private final String appendId;
    private final long firstItem;
    private final int firstChunk;
    private final ChunkHeader template;
    private long[] starts = new long[16];
    private int chunks;
    private long items;
    private ChunkTransaction transaction;
    private boolean reserved;
    private boolean prepared;
    private boolean committed;

    private Append(ChunkPublisher via, BatchRecord batch, String appendId, long firstItem, int firstChunk) {
      this.via = via;
      this.batch = batch;
      this.appendId = appendId;
      this.firstItem = firstItem;
      this.firstChunk = firstChunk;
      this.template = new ChunkHeader(batch.batchId(), 0, ChunkHeader.UNKNOWN, ChunkHeader.UNKNOWN, batch.model(),
          batch.modelVersion(), batch.priority(), clock.millis(), batch.tenant());
    }

    /** Sends one chunk, its items renumbered after the batch's. */
    @Override
    public void accept(Chunker.ChunkItems chunk) {
      long[] indexes = chunk.indexes();
      for (int i = 0; i < indexes.length; i++) {
        indexes[i] += firstItem;
      }
      if (chunk.customIds() != null) {
        String taken = store.customIds().indexAppended(batch.batchId(), chunk.customIds(), indexes, firstItem);
        if (taken != null) {
          throw new ApiException(409, "custom-id-taken", "custom_id already in the batch", "custom_id \"" + taken
              + "\" is already an item of this batch (custom ids are unique across its appends): use another",
              "custom_id", null);
        }
      }
      if (chunks == starts.length) {
        starts = Arrays.copyOf(starts, chunks * 2);
      }
      starts[chunks++] = indexes[0];
      items += indexes.length;
      publish(() -> {
        if (transaction == null) {
          transaction = via.begin(batch.batchId(), template, firstChunk);
        }
        transaction.send(chunk);
      });
    }

    /** Reserves the items, writes what it adds, commits and confirms it. */
    public Added finish() {
      if (chunks == 0) {
        throw ApiException.invalid("", "the append has no items: send at least one input");
      }
      reserved = true;
      limits.admitItems(batch.tenant(), batch.batchId(), firstItem + items, items);
      OpenBatches.Appended adds = new OpenBatches.Appended(firstItem, items, firstChunk, chunks);
      try {
        prepared = store.open().prepare(batch.batchId(), appendId, adds, Arrays.copyOf(starts, chunks));
        if (!prepared) {
          throw new RetriableApiException("the append lost its place (it stalled past its time); nothing was appended",
              RETRY_AFTER);
        }
      } catch (RuntimeException e) {
        if (e instanceof ApiException a) {
          throw a;
        }
        throw new RetriableApiException("the batch store is unavailable; nothing was appended", RETRY_AFTER);
      }
      publish(() -> {
        transaction.sendProgress(new ProgressEvent.Appended(batch.batchId(), clock.millis(), appendId, firstChunk, chunks,
            firstItem, items));
        transaction.commit();
      });
      committed = true;
      try {
        store.open().confirm(batch.batchId(), appendId);
      } catch (RuntimeException e) {
        log.warn("batch {}: append {} committed; the progress service's sweep will confirm it (Redis: {})",
            batch.batchId(), appendId, e.toString());
      }
      log.info("batch {}: appended {} items in {} chunks (items {} to {})", batch.batchId(), items, chunks, firstItem,
          firstItem + items - 1);
      return new Added(appendId, firstItem, items, firstChunk, chunks);
    }

    private void publish(Runnable step) {
      try {
        step.run();
      } catch (PublishException e) {
        log.warn("batch {}: append {}: {}", batch.batchId(), appendId, e.getMessage());
        throw new RetriableApiException("the queue is unavailable; nothing was appended", e.retryAfter());
      }
    }

    /** Unless prepared: aborts the transaction, frees the slot and gives the reservation back. */
    @Override
    public void close() {
      if (transaction != null) {
        transaction.close();
      }
      if (committed || prepared) {
        // Prepared, its commit may have landed though it failed here: the slot stays held until the progress
        // service's sweep has seen in Kafka whether it did (a repeat meanwhile is told to retry).
        return;
      }
      try {
        store.open().abandon(batch.batchId(), appendId);
        if (reserved) {
          limits.giveBackTo(batch.tenant(), batch.batchId(), firstItem);
        }
      } catch (RuntimeException e) {
        log.warn("batch {}: append {} not accepted; its slot frees itself when due (Redis: {})", batch.batchId(),
            appendId, e.toString());
      }
    }
  }
}
