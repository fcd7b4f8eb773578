package dev.batchinfer.topics.message;

/**
 * A batch reached a state the outside world hears about. {@code eventId} is derived from the batch
 * and the state, so the same event re-emitted after a crash carries the same id (receivers
 * de-duplicate on it).
 */
public record BatchEvent(
    String eventId,
    String type,
    String batchId,
    String status,
    long completed,
    long failed,
    long total,
    long occurredAtMs) {

  public static BatchEvent of(String batchId, BatchStatus status, long completed, long failed, long total, long atMs) {
    String type = "batch." + status.wire();
    return new BatchEvent(batchId + ":" + type, type, batchId, status.wire(), completed, failed, total, atMs);
  }
}
