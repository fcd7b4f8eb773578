package dev.batchinfer.worker.consume;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.ModelKey;
import dev.batchinfer.worker.infer.ResultFormatter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * A chunk record that cannot be decoded, of a batch that exists: the record's key ("batchId:chunkIndex",
 * as the API writes it) and the batch record say which items it held, so each of them is answered
 * failed with the reason and the batch can end ({@code completed_with_errors}) instead of waiting for a
 * chunk that will never run. The record itself still goes to the dead-letter topic, for a look.
 */
final class CorruptChunks {

  static final String CODE = "corrupt_record";

  private final Function<String, Optional<BatchRecord>> batches;

  /** @param batches batch id → its record (a Redis read: may throw when Redis is down) */
  CorruptChunks(Function<String, Optional<BatchRecord>> batches) {
    this.batches = batches;
  }

  /**
   * The chunk with every item answered failed, ready to publish; empty if the key names no chunk of
   * a known batch.
   */
  Optional<PendingChunk> answerAll(byte[] key, String reason, ChunkRef ref) {
    if (key == null) {
      return Optional.empty();
    }
    String text = new String(key, StandardCharsets.UTF_8);
    int colon = text.lastIndexOf(':');
    int chunkIndex;
    try {
      chunkIndex = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (colon <= 0 || chunkIndex < 0) {
      return Optional.empty();
    }
    Optional<BatchRecord> found = batches.apply(text.substring(0, colon));
    if (found.isEmpty() || chunkIndex >= found.get().chunkCount()) {
      return Optional.empty();
    }
    BatchRecord b = found.get();
    long first = b.chunkStarts()[chunkIndex];
    int n = (int) (b.chunkEnd(chunkIndex) - first);
    long[] indexes = new long[n];
    for (int i = 0; i < n; i++) {
      indexes[i] = first + i;
    }
    ChunkHeader h = new ChunkHeader(b.batchId(), chunkIndex, b.knownChunkCount(), b.knownTotal(), b.model(), b.modelVersion(),
        b.priority(), b.created().toEpochMilli(), b.tenant());
    InferenceChunk chunk = new InferenceChunk(h, indexes, new int[n + 1], new byte[0]);
    PendingChunk pending = new PendingChunk(chunk, ModelKey.of(h), ref, new int[0]);
    pending.markInputsLost();
    String message = "the record holding this item could not be read (" + reason + "); submit the item again";
    for (int i = 0; i < n; i++) {
      pending.answer(i, ResultFormatter.error(indexes[i], CODE, message), false);
    }
    return Optional.of(pending);
  }
}
