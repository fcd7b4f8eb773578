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
    Instant completedAt) {

  public int chunkCount() {
    return chunkStarts.length;
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
        created, estimatedCompletion, deadline, retention, BatchStatus.QUEUED, 0, 0, 0, false, null, null);
  }
}
