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

  /** The batch crossed {@code percent} % of its items answered (progress.25, .50, .75). */
  public static BatchEvent milestone(String batchId, int percent, long completed, long failed, long total, long atMs) {
    String type = "progress." + percent;
    return new BatchEvent(batchId + ":" + type, type, batchId, BatchStatus.PROCESSING.wire(), completed, failed, total, atMs);
  }

  /** Every event type a client may subscribe to with {@code callback_events}. */
  public static final java.util.List<String> TYPES = java.util.List.of(
      "batch.completed", "batch.completed_with_errors", "batch.failed", "batch.cancelled", "batch.expired",
      "progress.25", "progress.50", "progress.75", "batch.paused", "batch.resumed", "batch.priority_changed");

  /** What a batch gets when it names no callback_events: its final state only. */
  public static final java.util.List<String> DEFAULT_TYPES = TYPES.subList(0, 5);

  /**
   * The batch was paused, resumed or moved to another priority ({@code change} "paused", "resumed",
   * "priority_changed"). Its id names the moment the API sent the change, so each has an id of its own and a replay
   * of one keeps it.
   */
  public static BatchEvent control(String batchId, String change, BatchStatus status, long completed, long failed,
      long total, long atMs) {
    String type = "batch." + change;
    return new BatchEvent(batchId + ":" + type + ":" + atMs, type, batchId, status.wire(), completed, failed, total, atMs);
  }

  public static BatchEvent of(String batchId, BatchStatus status, long completed, long failed, long total, long atMs) {
    String type = "batch." + status.wire();
    return new BatchEvent(batchId + ":" + type, type, batchId, status.wire(), completed, failed, total, atMs);
  }
}
