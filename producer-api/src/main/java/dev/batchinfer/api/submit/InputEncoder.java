package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.InvalidInputException;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.topics.serde.ChunkCodec;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;

/** Validates each input against its model and encodes it, and makes the chunkers every reader fills. */
public final class InputEncoder {

  static final int MAX_BATCH_ID_CHARS = 36;
  /** Tenant names are at most 64 ASCII characters (see ApiKeys). */
  static final int MAX_TENANT_CHARS = 64;

  private final int chunkMaxItems;
  private final int chunkMaxBytes;

  public InputEncoder(int chunkMaxItems, int chunkMaxBytes) {
    this.chunkMaxItems = chunkMaxItems;
    this.chunkMaxBytes = chunkMaxBytes;
  }

  /** A chunker for the model's batches; {@code sink} null keeps the chunks (see {@link Chunker}). */
  public Chunker newChunker(ModelConfig model, Consumer<Chunker.ChunkItems> sink) {
    int header = ChunkCodec.extendedHeaderBytes("x".repeat(MAX_BATCH_ID_CHARS), model.model(), model.version(),
        "x".repeat(MAX_TENANT_CHARS));
    return new Chunker(chunkMaxItems, chunkMaxBytes, header, sink);
  }

  /**
   * One input validated against the model and encoded.
   *
   * @param pointer where the input is (a JSON pointer into the body or the line)
   * @param what how to name it in the message ("input 3", "line 17")
   * @param customId the item's custom id, or null: it shares the chunk's byte bound with the input
   */
  static byte[] encode(ModelConfig model, Chunker chunker, JsonNode item, String pointer, String what, String customId) {
    byte[] payload;
    try {
      payload = model.input().encode(item);
    } catch (InvalidInputException e) {
      throw ApiException.invalid(pointer + e.pointer(), what + ": " + e.getMessage());
    }
    int max = chunker.maxItemBytes(customId);
    if (payload.length > max) {
      throw ApiException.invalid(pointer, what + " is " + payload.length + " bytes; send inputs of at most " + max
          + " bytes" + (customId == null ? "" : " with their custom_id"));
    }
    return payload;
  }
}
