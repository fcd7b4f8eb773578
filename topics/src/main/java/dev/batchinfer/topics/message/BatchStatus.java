package dev.batchinfer.topics.message;

import dev.batchinfer.topics.TopicsException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The states of a batch and the only moves between them. A move outside {@link #allowed} is a bug,
 * so it throws instead of silently overwriting.
 */
public enum BatchStatus {
  QUEUED,
  PROCESSING,
  COMPLETED,
  COMPLETED_WITH_ERRORS,
  FAILED,
  CANCELLING,
  CANCELLED,
  EXPIRED;

  private static final Map<BatchStatus, Set<BatchStatus>> ALLOWED =
      Map.of(
          QUEUED, EnumSet.of(PROCESSING, COMPLETED, COMPLETED_WITH_ERRORS, FAILED, CANCELLING, EXPIRED),
          PROCESSING, EnumSet.of(COMPLETED, COMPLETED_WITH_ERRORS, FAILED, CANCELLING, EXPIRED),
          CANCELLING, EnumSet.of(CANCELLED, EXPIRED),
          COMPLETED, EnumSet.noneOf(BatchStatus.class),
          COMPLETED_WITH_ERRORS, EnumSet.noneOf(BatchStatus.class),
          FAILED, EnumSet.noneOf(BatchStatus.class),
          CANCELLED, EnumSet.noneOf(BatchStatus.class),
          EXPIRED, EnumSet.noneOf(BatchStatus.class));

  public static boolean allowed(BatchStatus from, BatchStatus to) {
    return ALLOWED.get(from).contains(to);
  }

  /** Returns {@code to} if the move is allowed, else throws naming both states. */
  public BatchStatus moveTo(BatchStatus to) {
    if (!allowed(this, to)) {
      throw new IllegalTransitionException(this, to);
    }
    return to;
  }

  public boolean isFinal() {
    return ALLOWED.get(this).isEmpty();
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static BatchStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** The final status of a batch whose every item has been answered. */
  public static BatchStatus outcome(long completed, long failed) {
    if (failed == 0) {
      return COMPLETED;
    }
    return completed == 0 ? FAILED : COMPLETED_WITH_ERRORS;
  }

  /** Thrown for a move the state machine does not allow. */
  public static final class IllegalTransitionException extends TopicsException {
    private final BatchStatus from;
    private final BatchStatus to;

    public IllegalTransitionException(BatchStatus from, BatchStatus to) {
      super("a batch cannot move from " + from.wire() + " to " + to.wire());
      this.from = from;
      this.to = to;
    }

    public BatchStatus from() {
      return from;
    }

    public BatchStatus to() {
      return to;
    }
  }
}
