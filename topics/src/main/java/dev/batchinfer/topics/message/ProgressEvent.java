package dev.batchinfer.topics.message;

/**
 * An event of the progress topic, keyed by batch id: one topology reads them in order and so decides every
 * state of a batch. Each carries the batch's chunk count and item total (-1 where its writer does not know them:
 * the chunks of a streamed upload before its seal), so the topology needs nothing but this topic.
 * Wire format: {@code ProgressEventSerde}.
 */
public sealed interface ProgressEvent
    permits ProgressEvent.ChunkFinished, ProgressEvent.CancelRequested, ProgressEvent.Expired, ProgressEvent.Sealed,
    ProgressEvent.Paused, ProgressEvent.Resumed, ProgressEvent.PriorityChanged, ProgressEvent.DeadlinePassed, ProgressEvent.Appended {

  String batchId();

  int chunkCount();

  long totalItems();

  /** When it happened (ms since the epoch). */
  long atMs();

  /**
   * A worker finished one chunk; its results are already in Redis.
   *
   * @param succeeded items with a result
   * @param failed items with an error
   * @param cancelled items skipped because the batch or the item was cancelled
   * @param skippedForBatchCancel the worker skipped the whole chunk because the batch was cancelled (as opposed
   *     to items cancelled one by one, after which the batch goes on)
   */
  record ChunkFinished(String batchId, int chunkIndex, int chunkCount, long totalItems, int succeeded, int failed,
      int cancelled, String modelVersion, String workerId, long atMs, boolean skippedForBatchCancel)
      implements ProgressEvent {

    public ChunkFinished {
      if (chunkIndex < 0) {
        throw new IllegalArgumentException("chunk index " + chunkIndex + " of batch " + batchId + " is negative");
      }
    }

    /** A chunk whose items all ran (none skipped for a cancel). */
    public ChunkFinished(String batchId, int chunkIndex, int chunkCount, long totalItems, int succeeded, int failed,
        String modelVersion, String workerId, long atMs) {
      this(batchId, chunkIndex, chunkCount, totalItems, succeeded, failed, 0, modelVersion, workerId, atMs, false);
    }
  }

  /** The client asked to cancel the batch (sent by the API). */
  record CancelRequested(String batchId, int chunkCount, long totalItems, long atMs) implements ProgressEvent {}

  /**
   * The batch's completion window passed (sent by the progress service's expiry scan).
   *
   * @param reason why it had not finished, in words (null from a writer that predates it)
   */
  record Expired(String batchId, int chunkCount, long totalItems, long atMs, String reason) implements ProgressEvent {
    public Expired(String batchId, int chunkCount, long totalItems, long atMs) {
      this(batchId, chunkCount, totalItems, atMs, null);
    }
  }

  /**
   * The completion window of a batch that runs past it ({@code "on_deadline": "run"}) passed: it goes on, and its
   * items answered from now on are counted as answered after the deadline (sent by the expiry scan).
   */
  record DeadlinePassed(String batchId, int chunkCount, long totalItems, long atMs) implements ProgressEvent {}

  /**
   * Every chunk of a batch sent in a transaction is sent: written by the API in that transaction, so it precedes
   * every chunk of the batch and its presence proves the commit. Its counts are the batch's, which a streamed
   * upload's chunks did not know.
   */
  record Sealed(String batchId, int chunkCount, long totalItems, long atMs) implements ProgressEvent {}

  /**
   * Items appended to an open batch ({@code "open": true}): written by the API in the append's transaction, after
   * its chunks, so its presence proves the commit. Its counts are unknown (-1): an open batch's are fixed by the
   * seal its finalize sends, once no append is in flight.
   *
   * @param appendId the append's own id
   * @param firstChunk the index of its first chunk (the chunks before it are the batch's earlier appends)
   * @param chunks how many chunks it added
   * @param firstItem the batch index of its first item
   * @param items how many items it added
   */
  record Appended(String batchId, long atMs, String appendId, int firstChunk, int chunks, long firstItem, long items)
      implements ProgressEvent {
    @Override
    public int chunkCount() {
      return ChunkHeader.UNKNOWN;
    }

    @Override
    public long totalItems() {
      return ChunkHeader.UNKNOWN;
    }
  }

  /** The client paused the batch: workers set its chunks aside from now on (sent by the API). */
  record Paused(String batchId, int chunkCount, long totalItems, long atMs) implements ProgressEvent {}

  /** The client resumed the batch: its chunks run again, those set aside go back to the queue (sent by the API). */
  record Resumed(String batchId, int chunkCount, long totalItems, long atMs) implements ProgressEvent {}

  /** The client moved the batch's remaining work from one priority to another (sent by the API). */
  record PriorityChanged(String batchId, int chunkCount, long totalItems, long atMs, Priority from, Priority to)
      implements ProgressEvent {}
}
