package dev.batchinfer.store.batch;

import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A batch as stored in Redis: what was asked (written once by the API) and where it stands
 * (written by the progress topology).
 *
 * @param tenant who submitted it: only that tenant sees it
 * @param chunkStarts the index of the first item of each chunk, ascending; maps an item to its chunk
 * @param callbackEvents the event types the client wants webhooks for
 * @param deadline when the completion window ends: unfinished items then expire
 * @param retention how long record and results are kept once the batch is final
 * @param metadataJson the client's metadata object as JSON text, echoed back verbatim
 * @param parentBatchId for a retry batch, the batch whose failures it runs again; else null
 * @param parentStarts for a retry batch, the parent index of the first item of each chunk (ascending,
 *     like chunkStarts: a retry takes the parent's items in order); else empty
 * @param childBatchIds the retry batches made of this one, oldest first
 * @param steering what the client asked of it since (pause) and what the topology has seen of that
 */
public record BatchRecord(
    String batchId,
    String tenant,
    String model,
    String modelVersion,
    Priority priority,
    long total,
    long[] chunkStarts,
    String callbackUrl,
    List<String> callbackEvents,
    String metadataJson,
    Instant created,
    Instant estimatedCompletion,
    Instant deadline,
    Duration retention,
    BatchStatus status,
    long completed,
    long failed,
    long cancelled,
    boolean cancelRequested,
    Instant startedAt,
    Instant completedAt,
    String parentBatchId,
    long[] parentStarts,
    List<String> childBatchIds,
    Steering steering) {

  /**
   * @param pauseRequested the flag workers read: its chunks are set aside
   * @param historyJson the pauses and resumes as the progress topology ordered them, a JSON array, oldest first
   * @param runPastDeadline {@code "on_deadline": "run"}: at the deadline its queued items run anyway
   * @param answeredAfterDeadline items of such a batch answered after its deadline (-1: not passed yet)
   * @param expiredItems items not answered when it expired (-1: not expired)
   * @param expiredReason why it expired, in words, or null
   * @param open it takes appends until finalized ({@code "open": true})
   * @param finalized an open batch whose total is fixed
   */
  public record Steering(boolean pauseRequested, String historyJson, boolean runPastDeadline,
      long answeredAfterDeadline, long expiredItems, String expiredReason, boolean open, boolean finalized) {
    public static final Steering NONE = new Steering(false, "[]", false, -1, -1, null, false, false);
  }

  /** An open batch not yet finalized: its counts may still grow, so events and chunks carry them as unknown. */
  public boolean countsOpen() {
    return steering.open() && !steering.finalized();
  }

  /** The chunk count as events about it should carry it: unknown while it may still grow. */
  public int knownChunkCount() {
    return countsOpen() ? dev.batchinfer.topics.message.ChunkHeader.UNKNOWN : chunkCount();
  }

  /** The total as events about it should carry it: unknown while it may still grow. */
  public long knownTotal() {
    return countsOpen() ? dev.batchinfer.topics.message.ChunkHeader.UNKNOWN : total;
  }

  /** This batch open for appends. */
  public BatchRecord opened() {
    return new BatchRecord(batchId, tenant, model, modelVersion, priority, total, chunkStarts, callbackUrl, callbackEvents,
        metadataJson, created, estimatedCompletion, deadline, retention, status, completed, failed, cancelled,
        cancelRequested, startedAt, completedAt, parentBatchId, parentStarts, childBatchIds,
        new Steering(steering.pauseRequested(), steering.historyJson(), steering.runPastDeadline(),
            steering.answeredAfterDeadline(), steering.expiredItems(), steering.expiredReason(), true, false));
  }

  /** This batch with its deadline policy. */
  public BatchRecord runningPastDeadline(boolean run) {
    return new BatchRecord(batchId, tenant, model, modelVersion, priority, total, chunkStarts, callbackUrl, callbackEvents,
        metadataJson, created, estimatedCompletion, deadline, retention, status, completed, failed, cancelled,
        cancelRequested, startedAt, completedAt, parentBatchId, parentStarts, childBatchIds,
        new Steering(steering.pauseRequested(), steering.historyJson(), run, steering.answeredAfterDeadline(),
            steering.expiredItems(), steering.expiredReason(), steering.open(), steering.finalized()));
  }

  public int chunkCount() {
    return chunkStarts.length;
  }

  /** The index after the last item of chunk {@code chunk}. */
  public long chunkEnd(int chunk) {
    return chunk + 1 < chunkCount() ? chunkStarts[chunk + 1] : total;
  }

  /** The chunk that holds item {@code index}. */
  public int chunkOf(long index) {
    int at = Arrays.binarySearch(chunkStarts, index);
    return at >= 0 ? at : -at - 2;
  }

  /** A new batch, before any chunk is processed. */
  public static BatchRecord queued(String batchId, String tenant, String model, String modelVersion, Priority priority, long total,
      long[] chunkStarts, String callbackUrl, List<String> callbackEvents, String metadataJson, Instant created,
      Instant estimatedCompletion, Instant deadline, Duration retention) {
    return new BatchRecord(batchId, tenant, model, modelVersion, priority, total, chunkStarts, callbackUrl, callbackEvents, metadataJson,
        created, estimatedCompletion, deadline, retention, BatchStatus.QUEUED, 0, 0, 0, false, null, null, null,
        new long[0], List.of(), Steering.NONE);
  }

  /** This batch as the retry of {@code parent} (null: not a retry), with its chunks' first parent indexes. */
  public BatchRecord asRetryOf(String parent, long[] firstParentIndexes) {
    return new BatchRecord(batchId, tenant, model, modelVersion, priority, total, chunkStarts, callbackUrl, callbackEvents,
        metadataJson, created, estimatedCompletion, deadline, retention, status, completed, failed, cancelled,
        cancelRequested, startedAt, completedAt, parent, firstParentIndexes == null ? new long[0] : firstParentIndexes,
        childBatchIds, steering);
  }

  /** The chunk of a retry batch whose items may include parent index {@code parentIndex} (-1 if none). */
  public int chunkOfParentIndex(long parentIndex) {
    int at = Arrays.binarySearch(parentStarts, parentIndex);
    return at >= 0 ? at : -at - 2;
  }
}
