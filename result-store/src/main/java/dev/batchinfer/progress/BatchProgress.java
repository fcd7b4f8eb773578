package dev.batchinfer.progress;

import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.ProgressEvent;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Exact progress of one batch, as kept in the topology's state store. {@code doneChunks} is a bit
 * per chunk, so a chunk reported twice (a worker crashed after reporting, before committing) is
 * recognised and counted once. {@code paused} and {@code history} (pauses and resumes, oldest first) are
 * absent from a state written before they existed, and read as not paused, no history.
 */
public record BatchProgress(
    String batchId,
    long total,
    int chunkCount,
    long completed,
    long failed,
    long cancelled,
    BatchStatus status,
    long[] doneChunks,
    long startedAtMs,
    long completedAtMs,
    boolean skippedForCancel,
    boolean paused,
    List<Change> history,
    Deadline deadline) {

  /**
   * What its completion window did to it: {@code passedAtMs} when the window of a batch that runs past it passed
   * (0 before), the items answered after that; {@code expiredItems} those not answered when it expired, and why.
   */
  public record Deadline(long passedAtMs, long answeredAfter, long expiredItems, String expiredReason) {
    public static final Deadline NONE = new Deadline(0, 0, 0, null);
  }

  /** At most this many changes are kept, the latest: a client toggling a pause must not grow the state forever. */
  static final int MAX_HISTORY = 50;

  /**
   * One pause, resume or priority change ({@code change} "paused", "resumed" or "priority"), when the API sent it;
   * {@code from} and {@code to} the priorities of a priority change, else null.
   */
  public record Change(String change, long atMs, String from, String to) {
    public Change(String change, long atMs) {
      this(change, atMs, null, null);
    }
  }

  public BatchProgress {
    history = history == null ? List.of() : List.copyOf(history);
    deadline = deadline == null ? Deadline.NONE : deadline;
  }

  public static BatchProgress start(ProgressEvent first) {
    return new BatchProgress(first.batchId(), first.totalItems(), first.chunkCount(), 0, 0, 0, BatchStatus.QUEUED,
        new long[0], 0, 0, false, false, List.of(), Deadline.NONE);
  }

  /** Whether the chunk count is known: always, except for a streamed batch before its seal (which precedes its chunks). */
  public boolean countsKnown() {
    return chunkCount >= 0;
  }

  /**
   * A seal: the counts the chunks did not carry. A streamed upload's comes before its chunks; an open batch's,
   * sent by its finalize, after chunks already counted, and if they are all of them the batch ends here.
   */
  public BatchProgress sealed(ProgressEvent.Sealed seal) {
    BatchProgress sealed = new BatchProgress(batchId, seal.totalItems(), seal.chunkCount(), completed, failed, cancelled,
        status, doneChunks, startedAtMs, completedAtMs, skippedForCancel, paused, history, deadline);
    if (sealed.chunksDone() < sealed.chunkCount) {
      return sealed;
    }
    BatchStatus s = status == BatchStatus.CANCELLING ? status.moveTo(BatchStatus.CANCELLED)
        : status.moveTo(BatchStatus.outcome(completed, failed));
    return new BatchProgress(batchId, sealed.total, sealed.chunkCount, completed, failed, cancelled, s, doneChunks,
        startedAtMs, seal.atMs(), skippedForCancel, paused, history, deadline);
  }

  public boolean hasChunk(int chunkIndex) {
    return BitSet.valueOf(doneChunks).get(chunkIndex);
  }

  public int chunksDone() {
    return BitSet.valueOf(doneChunks).cardinality();
  }

  /**
   * Counts a chunk not seen before, moving the batch along the state machine: the first chunk makes
   * it {@code processing}, the last one gives it its outcome.
   */
  public BatchProgress withChunk(ProgressEvent.ChunkFinished done) {
    if (hasChunk(done.chunkIndex())) {
      throw new IllegalArgumentException("chunk " + done.chunkIndex() + " of batch " + batchId + " already counted");
    }
    BitSet chunks = BitSet.valueOf(doneChunks);
    chunks.set(done.chunkIndex());
    Deadline next = deadline.passedAtMs() == 0 ? deadline : new Deadline(deadline.passedAtMs(),
        deadline.answeredAfter() + done.succeeded() + done.failed(), deadline.expiredItems(), deadline.expiredReason());
    long c = completed + done.succeeded();
    long f = failed + done.failed();
    long x = cancelled + done.cancelled();
    BatchStatus s = status;
    long started = startedAtMs;
    long finished = completedAtMs;
    if (s == BatchStatus.QUEUED) {
      s = s.moveTo(BatchStatus.PROCESSING);
      started = done.atMs();
    }
    if (chunks.cardinality() == chunkCount) {
      if (cancelSeen(done) && s != BatchStatus.CANCELLING) {
        s = s.moveTo(BatchStatus.CANCELLING); // workers skipped chunks of a cancel whose event got lost
      }
      s = s.moveTo(s == BatchStatus.CANCELLING ? BatchStatus.CANCELLED : BatchStatus.outcome(c, f));
      finished = done.atMs();
    }
    return new BatchProgress(batchId, total, chunkCount, c, f, x, s, chunks.toLongArray(), started, finished,
        skippedForCancel || done.skippedForBatchCancel(), paused, history, next);
  }

  private boolean cancelSeen(ProgressEvent.ChunkFinished last) {
    return skippedForCancel || last.skippedForBatchCancel();
  }

  /** The completion window passed: the batch ends now, its unanswered items expired; chunks still to come change nothing. */
  public BatchProgress expired(long atMs, String reason) {
    long unanswered = total < 0 ? 0 : Math.max(0, total - completed - failed - cancelled);
    return new BatchProgress(batchId, total, chunkCount, completed, failed, cancelled, status.moveTo(BatchStatus.EXPIRED),
        doneChunks, startedAtMs, atMs, skippedForCancel, paused, history,
        new Deadline(deadline.passedAtMs(), deadline.answeredAfter(), unanswered, reason));
  }

  /** The window of a batch that runs past it passed: it goes on, counting what is answered from now on. */
  public BatchProgress deadlinePassed(long atMs) {
    return new BatchProgress(batchId, total, chunkCount, completed, failed, cancelled, status, doneChunks, startedAtMs,
        completedAtMs, skippedForCancel, paused, history, new Deadline(atMs, 0, 0, null));
  }

  /** A cancel request: the remaining chunks will be skipped; the batch ends cancelled. */
  public BatchProgress cancelling() {
    return new BatchProgress(batchId, total, chunkCount, completed, failed, cancelled, status.moveTo(BatchStatus.CANCELLING),
        doneChunks, startedAtMs, completedAtMs, skippedForCancel, paused, history, deadline);
  }

  /** Paused ({@code true}) or resumed at {@code atMs}. */
  public BatchProgress pausedAs(boolean nowPaused, long atMs) {
    return with(new Change(nowPaused ? "paused" : "resumed", atMs), nowPaused);
  }

  /** Its remaining work moved from one priority to another. */
  public BatchProgress reprioritised(String from, String to, long atMs) {
    return with(new Change("priority", atMs, from, to), paused);
  }

  private BatchProgress with(Change change, boolean nowPaused) {
    List<Change> changes = new ArrayList<>(history);
    changes.add(change);
    if (changes.size() > MAX_HISTORY) {
      changes.subList(0, changes.size() - MAX_HISTORY).clear();
    }
    return new BatchProgress(batchId, total, chunkCount, completed, failed, cancelled, status, doneChunks, startedAtMs,
        completedAtMs, skippedForCancel, nowPaused, changes, deadline);
  }
}
