package dev.batchinfer.progress;

import dev.batchinfer.topics.message.BatchStatus;
import java.time.Instant;

/** Where a batch stands, as the progress topology last computed it. */
public record ProgressUpdate(
    String batchId, BatchStatus status, long completed, long failed, long cancelled, Instant startedAt,
    Instant completedAt, java.util.List<BatchProgress.Change> history, BatchProgress.Deadline deadline) {

  /** A batch never paused. */
  public ProgressUpdate(String batchId, BatchStatus status, long completed, long failed, long cancelled,
      Instant startedAt, Instant completedAt) {
    this(batchId, status, completed, failed, cancelled, startedAt, completedAt, java.util.List.of(),
        BatchProgress.Deadline.NONE);
  }
}
