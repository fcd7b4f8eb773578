package dev.batchinfer.worker.batch;

import java.util.concurrent.TimeUnit;
import io.opentelemetry.context.Context;
import dev.batchinfer.observability.LogContext;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.worker.infer.ModelKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A chunk being worked on: what it stands for (a record, whose offset is committed when the chunk is
 * done, or a shadow copy) and one result line per item, filled in by whichever inference call
 * handles the item.
 */
public final class PendingChunk {

  private final InferenceChunk chunk;
  private final ModelKey modelKey;
  private final ChunkOrigin origin;
  private int[] runnable; // positions of items that passed the payload check (fewer after a withdraw)
  private final String[] lines;
  private final boolean[] unsuccessful; // an error or a cancel: its input is kept for a retry
  private final AtomicInteger remaining;
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger cancelled = new AtomicInteger();
  private volatile Runnable onAnswered; // a shadow comparison waiting for this chunk, if any
  // Taken from the thread that makes the chunk (the consumer's, in the record's context): the
  // inference and publisher threads log and trace in it later.
  private final Context trace = Context.current();
  private final String tenant = LogContext.get(LogContext.TENANT);
  private final String requestId = LogContext.get(LogContext.REQUEST_ID);
  private final long madeAtEpochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());

  /**
   * @param modelKey the model version that runs this chunk
   * @param runnable positions of the items to send to the model; every other position must be
   *     answered with {@link #answer} before the chunk is handed to the batcher
   */
  public PendingChunk(InferenceChunk chunk, ModelKey modelKey, ChunkOrigin origin, int[] runnable) {
    this.chunk = chunk;
    this.modelKey = modelKey;
    this.origin = origin;
    this.runnable = runnable;
    this.lines = new String[chunk.itemCount()];
    this.unsuccessful = new boolean[chunk.itemCount()];
    this.remaining = new AtomicInteger(chunk.itemCount());
  }

  /** Sets this chunk's batch, tenant and request id in the log context until the scope closes. */
  public LogContext.Scope logs() {
    return LogContext.open(chunk.header().batchId(), tenant, requestId);
  }

  /** The trace the chunk's record came in (the submit's). */
  public Context trace() {
    return trace;
  }

  public String tenant() {
    return tenant;
  }

  public String requestId() {
    return requestId;
  }

  /** When the chunk was read, for a span that starts there. */
  public long madeAtEpochNanos() {
    return madeAtEpochNanos;
  }

  public InferenceChunk chunk() {
    return chunk;
  }

  public ModelKey modelKey() {
    return modelKey;
  }

  public ChunkOrigin origin() {
    return origin;
  }

  /** A shadow copy has no record behind it: nothing to publish, no offset to commit. */
  public boolean isShadow() {
    return origin instanceof ChunkOrigin.Shadow;
  }

  /** Runs {@code hook} once every item is answered (set before the chunk is queued). */
  public void whenAnswered(Runnable hook) {
    this.onAnswered = hook;
  }

  /** Called by whoever answered the last item. */
  public void answered() {
    Runnable hook = onAnswered;
    if (hook != null) {
      hook.run();
    }
  }

  /** The result line of an item (after the last answer). */
  public String line(int position) {
    return lines[position];
  }

  /** How many items go to the model. */
  public int runnableCount() {
    return runnable.length;
  }

  /** The item position of the {@code i}-th runnable item. */
  public int runnablePosition(int i) {
    return runnable[i];
  }

  /**
   * Records an item's result line. Returns true for the call that answers the last item: that
   * caller hands the chunk on, and sees every line (the atomic decrement orders the writes).
   */
  public boolean answer(int position, String line, boolean ok) {
    lines[position] = line;
    if (!ok) {
      unsuccessful[position] = true;
      failed.incrementAndGet();
    }
    return remaining.decrementAndGet() == 0;
  }

  /** Answers an item the client cancelled: neither a result nor a failure. */
  public boolean answerCancelled(int position, String line) {
    lines[position] = line;
    unsuccessful[position] = true;
    cancelled.incrementAndGet();
    return remaining.decrementAndGet() == 0;
  }

  private volatile boolean skippedForBatchCancel;
  private volatile boolean inputsLost;

  /** The chunk's inputs are not known (its record could not be read): none is kept for a retry. */
  public void markInputsLost() {
    inputsLost = true;
  }

  /** Marks a chunk skipped whole because its batch was cancelled (the topology ends the batch cancelled). */
  public void markSkippedForBatchCancel() {
    skippedForBatchCancel = true;
  }

  public boolean skippedForBatchCancel() {
    return skippedForBatchCancel;
  }

  public int cancelledCount() {
    return cancelled.get();
  }

  /**
   * Takes the runnable items marked in {@code cancelledItems} (by position) out before any reaches the
   * model, answering each {@code cancelled} with {@code line}. Only before the chunk is handed to the
   * batcher. True if that answered the chunk's last item (the caller then hands the chunk on).
   */
  public boolean withdraw(boolean[] cancelledItems, java.util.function.IntFunction<String> line) {
    int kept = 0;
    boolean complete = false;
    int[] still = new int[runnable.length];
    for (int position : runnable) {
      if (cancelledItems[position]) {
        complete = answerCancelled(position, line.apply(position));
      } else {
        still[kept++] = position;
      }
    }
    runnable = java.util.Arrays.copyOf(still, kept);
    return complete;
  }

  public int failedCount() {
    return failed.get();
  }

  public int succeededCount() {
    return chunk.itemCount() - failed.get() - cancelled.get();
  }

  /**
   * The chunk's results as NDJSON, in item order, each line with the item's custom id (and parent
   * index, in a retry batch) when it has one. Call only after the last {@link #answer}.
   */
  public String ndjson() {
    boolean extra = chunk.hasCustomIds() || chunk.hasParentIndexes();
    String[] out = extra ? new String[lines.length] : lines;
    int size = 0;
    for (int i = 0; i < lines.length; i++) {
      if (extra) {
        out[i] = dev.batchinfer.worker.infer.ResultFormatter.withItemFields(lines[i], chunk.customId(i), chunk.parentIndex(i));
      }
      size += out[i].length() + 1;
    }
    StringBuilder text = new StringBuilder(size);
    for (String l : out) {
      text.append(l).append('\n');
    }
    return text.toString();
  }

  /**
   * The items that ended without a result (error or cancel), encoded as a chunk record of only those
   * (indexes, custom ids, parent indexes and inputs as they came), or null if every item has a result.
   * Call only after the last answer.
   */
  public byte[] failedInputs() {
    if (inputsLost) {
      return null;
    }
    int n = 0;
    for (boolean u : unsuccessful) {
      n += u ? 1 : 0;
    }
    if (n == 0) {
      return null;
    }
    long[] indexes = new long[n];
    int[] offsets = new int[n + 1];
    String[] ids = chunk.hasCustomIds() ? new String[n] : null;
    long[] parents = chunk.hasParentIndexes() ? new long[n] : null;
    java.io.ByteArrayOutputStream payloads = new java.io.ByteArrayOutputStream();
    int at = 0;
    for (int i = 0; i < unsuccessful.length; i++) {
      if (!unsuccessful[i]) {
        continue;
      }
      indexes[at] = chunk.itemIndex(i);
      offsets[at] = payloads.size();
      payloads.write(chunk.payloadArray(), chunk.payloadOffset(i), chunk.payloadLength(i));
      if (ids != null) {
        ids[at] = chunk.customId(i);
      }
      if (parents != null) {
        parents[at] = chunk.parentIndex(i);
      }
      at++;
    }
    offsets[n] = payloads.size();
    return dev.batchinfer.topics.serde.ChunkCodec.encode(chunk.header(), indexes, offsets, payloads.toByteArray(), ids,
        parents);
  }

  @Override
  public String toString() {
    return chunk.toString();
  }
}
