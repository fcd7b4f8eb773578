package dev.batchinfer.api.submit;

import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.topics.message.Priority;
import java.util.List;

/** A submit request that passed validation: every input is encoded and chunked. */
public record ParsedBatch(
    ModelConfig model,
    Priority priority,
    String callbackUrl,
    List<String> callbackEvents,
    String metadataJson,
    java.time.Duration completionWindow,
    java.time.Duration retention,
    boolean runPastDeadline,
    long totalItems,
    List<Chunker.ChunkItems> chunks,
    boolean open) {

  /** A batch whose options came apart from its inputs (the query string of a raw upload). */
  public static ParsedBatch of(BatchOptions o, long totalItems, List<Chunker.ChunkItems> chunks) {
    return new ParsedBatch(o.model(), o.priority(), o.callbackUrl(), o.callbackEvents(), o.metadataJson(),
        o.completionWindow(), o.retention(), o.runPastDeadline(), totalItems, chunks, o.open());
  }

  public BatchOptions options() {
    return new BatchOptions(model, priority, callbackUrl, callbackEvents, metadataJson, completionWindow, retention,
        runPastDeadline, open);
  }

  public long inputBytes() {
    return chunks.stream().mapToLong(Chunker.ChunkItems::inputBytes).sum();
  }
}
