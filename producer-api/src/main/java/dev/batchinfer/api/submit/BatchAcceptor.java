package dev.batchinfer.api.submit;

import dev.batchinfer.observability.LogContext;
import dev.batchinfer.api.limits.TenantLimits;
import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.PendingBatches;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.ChunkHeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a validated batch: its chunks go to Kafka in one transaction, the batch is recorded in
 * Redis, and only then is the transaction committed. Any failure before the commit aborts the
 * transaction and removes the record, so a client that got an error can simply retry. A batch known
 * to be one chunk is recorded first and then sent as one plain record, which is all-or-nothing by
 * itself; a send that fails removes the record the same way.
 *
 * <p>One path serves every kind of submit. A JSON body is read whole first (its options may come
 * after its inputs), so its counts are known and its chunks carry them. An NDJSON upload is
 * streamed: chunks go out as its lines arrive, carrying unknown counts, and a seal with the counts
 * goes to the progress topic in the same transaction (see {@link ProgressEvent#seal}); a batch whose counts
 * are known sends its seal too.
 *
 * <p>No ghost: the record is pending (see {@link PendingBatches}) from before the quota reservation until
 * the commit is confirmed, so an API that dies in between leaves something the sweeper finds and
 * resolves by what reached Kafka: a seal, or a one-chunk batch's one chunk.
 */
public final class BatchAcceptor {

  private static final Logger log = LoggerFactory.getLogger(BatchAcceptor.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final BatchStores store;
  private final ChunkPublisher publisher;
  private final ChunkPublisher uploads;
  private final Clock clock;
  private final int estimatedItemsPerSecond;
  private final TenantLimits limits;
  private final Duration defaultWindow;
  private final Duration defaultRetention;
  private final Duration uploadTimeout;
  private final AcceptanceListener listener;

  /**
   * @param publisher producers for batches whose chunks are all at hand (JSON bodies, retries, sync
   *     predicts): their transactions are short, and a batch of one chunk takes none
   * @param uploads producers for streamed uploads, whose transactions stay open while the body
   *     arrives: a pool of their own, so slow uploads never take the producers other submits need
   * @param uploadTimeout the longest a streamed upload may take (its transaction stays open meanwhile)
   */
  public BatchAcceptor(BatchStores store, ChunkPublisher publisher, ChunkPublisher uploads, Clock clock,
      int estimatedItemsPerSecond, TenantLimits limits, Duration defaultWindow, Duration defaultRetention,
      Duration uploadTimeout, AcceptanceListener listener) {
    this.listener = listener;
    this.uploads = uploads;
    this.defaultRetention = defaultRetention;
    this.limits = limits;
    this.defaultWindow = defaultWindow;
    this.store = store;
    this.publisher = publisher;
    this.clock = clock;
    this.estimatedItemsPerSecond = estimatedItemsPerSecond;
    this.uploadTimeout = uploadTimeout;
  }

  /** A batch recorded and queued, and how many unfinished batches stood ahead of it then. */
  public record Accepted(BatchRecord record, long queuePosition) {}

  /** What became of a batch whose submit's API died before it answered. */
  public enum Fate { ACCEPTED, UNDECIDED, NEVER }

  /**
   * Asks what became of the batch a dead request was creating: its record confirmed (accepted), still pending
   * (the ghost sweeper has not judged it yet), or no record at all (never recorded, or removed as a ghost).
   */
  public Fate fate(String batchId) {
    PendingBatches.Recorded r = store.pending().recorded(batchId);
    return r == null ? Fate.NEVER : r.commit() != null ? Fate.UNDECIDED : Fate.ACCEPTED;
  }

  /** An accepted batch as its 202 described it, with the queue position of now. */
  public java.util.Optional<Accepted> accepted(String batchId) {
    return store.records().find(batchId).map(r -> new Accepted(r, store.queue().batchesAhead(r.priority(), r.created())));
  }

  /** @throws RetriableApiException if Redis or Kafka cannot take the batch */
  public Accepted accept(String batchId, String tenant, ParsedBatch batch) {
    // An open batch's counts are unknown to its chunks and events until its finalize seals it.
    int chunkCount = batch.open() ? ChunkHeader.UNKNOWN : batch.chunks().size();
    try (Pending pending = begin(publisher, batchId, tenant, batch.options(), chunkCount,
        batch.open() ? ChunkHeader.UNKNOWN : batch.totalItems(), null)) {
      batch.chunks().forEach(pending);
      return pending.finish(batch.totalItems());
    }
  }

  /** Starts a streamed batch: feed it chunks, then {@link Pending#finish}; closing it unfinished leaves nothing. */
  public Pending beginStreamed(String batchId, String tenant, BatchOptions options) {
    return begin(uploads, batchId, tenant, options, ChunkHeader.UNKNOWN, ChunkHeader.UNKNOWN, null);
  }

  /** Starts a retry batch of {@code parentBatchId}: its items carry their index in the parent. */
  public Pending beginRetry(String batchId, String tenant, BatchOptions options, String parentBatchId) {
    return begin(publisher, batchId, tenant, options, ChunkHeader.UNKNOWN, ChunkHeader.UNKNOWN, parentBatchId);
  }

  private Pending begin(ChunkPublisher via, String batchId, String tenant, BatchOptions options, int chunkCount,
      long total, String parentBatchId) {
    LogContext.put(LogContext.BATCH_ID, batchId); // every line of this submit from here on names its batch
    Pending p = new Pending(via, batchId, tenant, options, chunkCount, total, parentBatchId);
    try {
      // Tracked before anything is reserved: if this API dies before the record, the sweeper gives the room back
      // once the submit cannot be running any more (an upload: its whole timeout, then its commit).
      Duration running = chunkCount == ChunkHeader.UNKNOWN ? uploadTimeout.plus(via.settleTime()) : via.settleTime();
      store.pending().track(batchId, tenant, clock.millis() + running.toMillis());
      // Counts known: reserve them now. Streamed: only check there is room; the real count is
      // reserved when the upload is complete, before the commit.
      p.reserve(Math.max(0, total));
      return p;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** A batch being accepted. Not thread-safe: one submit feeds it. */
  public final class Pending implements Consumer<Chunker.ChunkItems>, AutoCloseable {
    private final ChunkPublisher via;
    private final String batchId;
    private final String tenant;
    private final BatchOptions options;
    private final String parentBatchId;
    private final ChunkHeader template;
    private long[] starts = new long[16];
    private long[] parentStarts;
    private int chunks;
    private ChunkTransaction transaction;
    // A batch known to be one chunk: held here and sent alone, without a transaction, once recorded.
    private Chunker.ChunkItems alone;
    private boolean reserved;
    private boolean redisWritten;
    private boolean accepted;

    private Pending(ChunkPublisher via, String batchId, String tenant, BatchOptions options, int chunkCount, long total,
        String parentBatchId) {
      this.via = via;
      this.batchId = batchId;
      this.tenant = tenant;
      this.options = options;
      this.parentBatchId = parentBatchId;
      // Chunks carry when the submit began (a worker's requeue age); the record takes its times at finish.
      this.template = new ChunkHeader(batchId, 0, chunkCount, total, options.model().model(), options.model().version(),
          options.priority(), clock.millis(), tenant);
    }

    private void reserve(long items) {
      reserved = true; // also when refused: releasing is harmless
      limits.admitItems(tenant, batchId, items);
    }

    /** Sends one chunk (inside the batch's transaction, opened by the first), or holds a one-chunk batch's until {@link #finish}. */
    @Override
    public void accept(Chunker.ChunkItems chunk) {
      if (chunks == starts.length) {
        starts = Arrays.copyOf(starts, chunks * 2);
        if (parentStarts != null) {
          parentStarts = Arrays.copyOf(parentStarts, chunks * 2);
        }
      }
      starts[chunks] = chunk.indexes()[0];
      if (chunk.parentIndexes() != null) {
        if (parentStarts == null) {
          parentStarts = new long[starts.length];
        }
        parentStarts[chunks] = chunk.parentIndexes()[0];
      }
      if (chunk.customIds() != null) {
        try {
          redisWritten = true;
          store.customIds().index(batchId, chunk.customIds(), chunk.indexes(), uploadTimeout.multipliedBy(2));
        } catch (RuntimeException e) {
          log.warn("batch {}: cannot index its custom ids in Redis: {}", batchId, e.toString());
          throw new RetriableApiException("the batch store is unavailable; nothing was accepted", RETRY_AFTER);
        }
      }
      if (template.chunkCount() == 1) {
        alone = chunk;
      } else {
        if (transaction == null) {
          transaction = publish(() -> via.begin(batchId, template));
        }
        publish(() -> {
          transaction.send(chunk);
          return null;
        });
      }
      chunks++;
    }

    /**
     * Records the batch and commits its chunks (a one-chunk batch: sends its chunk and waits for the acknowledgement).
     *
     * @throws RetriableApiException if Redis or Kafka cannot take it (an ApiException, 429, over the tenant's limits)
     */
    public Accepted finish(long totalItems) {
      if (chunks == 0 && !options.open()) {
        throw new IllegalStateException("batch " + batchId + " has no chunks");
      }
      boolean streamed = !template.countsKnown() && !options.open();
      if (!template.countsKnown()) {
        reserve(totalItems);
      }
      // Created, and so its deadline, when it is recorded: a long upload must not arrive already expired.
      Instant created = clock.instant();
      // A static estimate from configured throughput; status reads compute a rolling one.
      Instant eta = created.plusMillis(Math.max(1, totalItems * 1000 / estimatedItemsPerSecond));
      BatchRecord record = BatchRecord.queued(batchId, tenant, options.model().model(), options.model().version(),
          options.priority(), totalItems, Arrays.copyOf(starts, chunks), options.callbackUrl(), options.callbackEvents(),
          options.metadataJson(), created, eta,
          created.plus(options.completionWindow() != null ? options.completionWindow() : defaultWindow),
          options.retention() != null ? options.retention() : defaultRetention)
          .asRetryOf(parentBatchId, parentStarts == null ? null : Arrays.copyOf(parentStarts, chunks))
          .runningPastDeadline(options.runPastDeadline());
      record = options.open() ? record.opened() : record;
      long position;
      try {
        redisWritten = true;
        // An open batch created empty sends nothing to Kafka: recorded, it is accepted.
        position = chunks == 0 ? store.records().create(record)
            : store.records().create(record, alone != null ? PendingBatches.Commit.ALONE : PendingBatches.Commit.TRANSACTION,
                created.toEpochMilli() + via.settleTime().toMillis());
      } catch (RuntimeException e) {
        log.warn("batch {}: cannot record it in Redis: {}", batchId, e.toString());
        throw new RetriableApiException("the batch store is unavailable; nothing was accepted", RETRY_AFTER);
      }
      publish(() -> {
        if (alone != null) {
          // Recorded first, as a transaction's chunks are: a worker that takes the chunk finds its batch.
          via.sendAlone(batchId, template, alone);
          return null;
        }
        if (chunks == 0) {
          return null;
        }
        // Same transaction as the chunks: the topology sees it before any chunk of the batch is done, and the
        // ghost sweeper takes it as the proof that the transaction committed. An open batch's first items are its
        // first append; its seal comes with its finalize.
        transaction.sendProgress(options.open()
            ? new ProgressEvent.Appended(batchId, created.toEpochMilli(), batchId, 0, chunks, 0, totalItems)
            : new ProgressEvent.Sealed(batchId, chunks, totalItems, created.toEpochMilli()));
        transaction.commit();
        return null;
      });
      accepted = true;
      try {
        store.pending().confirm(batchId, tenant);
      } catch (RuntimeException e) {
        log.warn("batch {}: accepted; the ghost sweeper will confirm it (Redis: {})", batchId, e.toString());
      }
      log.info("batch {} queued: {} items in {} chunks for {} at priority {}{}", batchId, totalItems, chunks,
          options.model().id(), options.priority().wire(), streamed ? " (streamed)" : options.open() ? " (open)" : "");
      listener.accepted(record, totalItems);
      return new Accepted(record, position);
    }

    private <T> T publish(java.util.function.Supplier<T> step) {
      try {
        return step.get();
      } catch (PublishException e) {
        log.warn("batch {}: {}", batchId, e.getMessage());
        throw new RetriableApiException("the queue is unavailable; nothing was accepted", e.retryAfter());
      }
    }

    /** Unless accepted: aborts the transaction, removes whatever reached Redis, releases the reservation. */
    @Override
    public void close() {
      if (transaction != null) {
        transaction.close(); // aborts unless committed; gives the producer back either way
      }
      if (accepted) {
        return;
      }
      if (redisWritten) {
        try {
          store.records().delete(batchId);
        } catch (RuntimeException e) {
          // The record then says "queued" for a batch with no chunks; log loudly so it is visible.
          log.error("batch {}: not accepted and its record could not be removed: {}", batchId, e.toString());
        }
      }
      if (reserved) {
        try {
          store.quota().release(tenant, batchId);
          store.pending().forget(batchId, tenant);
        } catch (RuntimeException e) {
          log.warn("batch {}: its queued-items reservation stays until Redis is back: {}", batchId, e.toString());
        }
      }
    }
  }
}
