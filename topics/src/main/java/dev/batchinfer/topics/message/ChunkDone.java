package dev.batchinfer.topics.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An event of the progress topic. Mostly a worker saying it finished one chunk (its results are
 * already in Redis); it carries the batch's totals so the progress topology needs nothing but this
 * topic to know when a batch is done. The API also puts a cancel request here ({@code kind}
 * "cancel"), so one topology, in order, decides every state of a batch.
 *
 * @param succeeded items with a result
 * @param failed items with an error
 * @param cancelled items skipped because the batch was cancelled
 * @param kind null (or "chunk") for a finished chunk, "cancel" for a cancel request, "expire" when
 *     the batch's completion window has passed, "seal" when every chunk of a batch sent in a
 *     transaction is sent (written by the API in that transaction, so it precedes every chunk-done
 *     of the batch, and its presence proves the commit; its chunkCount and totalItems are the
 *     batch's, which a streamed upload's chunks themselves did not know)
 * @param batchCancelled true when the worker skipped the whole chunk because the batch was
 *     cancelled (as opposed to items cancelled one by one, after which the batch goes on)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChunkDone(
    String batchId,
    int chunkIndex,
    int chunkCount,
    long totalItems,
    int succeeded,
    int failed,
    int cancelled,
    String modelVersion,
    String workerId,
    long finishedAtMs,
    String kind,
    Boolean batchCancelled) {

  public static final String CANCEL = "cancel";
  public static final String EXPIRE = "expire";
  public static final String SEAL = "seal";

  /** A finished chunk. */
  public ChunkDone(String batchId, int chunkIndex, int chunkCount, long totalItems, int succeeded, int failed,
      String modelVersion, String workerId, long finishedAtMs) {
    this(batchId, chunkIndex, chunkCount, totalItems, succeeded, failed, 0, modelVersion, workerId, finishedAtMs, null,
        null);
  }

  /** The client asked to cancel the batch. */
  public static ChunkDone cancelRequest(String batchId, int chunkCount, long totalItems, long atMs) {
    return new ChunkDone(batchId, -1, chunkCount, totalItems, 0, 0, 0, null, "api", atMs, CANCEL, null);
  }

  /** The batch's completion window has passed. */
  public static ChunkDone expiry(String batchId, int chunkCount, long totalItems, long atMs) {
    return new ChunkDone(batchId, -1, chunkCount, totalItems, 0, 0, 0, null, "result-store", atMs, EXPIRE, null);
  }

  /** Every chunk of the batch is in its transaction: these are the batch's chunk count and total. */
  public static ChunkDone seal(String batchId, int chunkCount, long totalItems, long atMs) {
    return new ChunkDone(batchId, -1, chunkCount, totalItems, 0, 0, 0, null, "api", atMs, SEAL, null);
  }

  public boolean isSeal() {
    return SEAL.equals(kind);
  }

  public boolean skippedForBatchCancel() {
    return Boolean.TRUE.equals(batchCancelled);
  }

  public boolean isExpiry() {
    return EXPIRE.equals(kind);
  }

  public boolean isCancelRequest() {
    return CANCEL.equals(kind);
  }
}
