package dev.batchinfer.worker.batch;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.infer.ModelKey;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;

/** Real chunks for unit tests: one payload byte per item, item indexes starting at {@code firstIndex}. */
public final class ChunkFixtures {

  /** The model version of every {@link #chunk}. */
  public static final ModelKey MODEL = new ModelKey("m", "1.0.0");

  /** A record's place, for chunks whose origin does not matter to the test. */
  public static final ChunkRef REF = new ChunkRef(new TopicPartition("requests", 0), 0);

  private ChunkFixtures() {}

  public static InferenceChunk chunk(String batchId, int items, long firstIndex, Priority priority) {
    long[] indexes = new long[items];
    int[] offsets = new int[items + 1];
    byte[] payloads = new byte[items];
    for (int i = 0; i < items; i++) {
      indexes[i] = firstIndex + i;
      offsets[i] = i;
      payloads[i] = (byte) i;
    }
    offsets[items] = items;
    ChunkHeader header = new ChunkHeader(batchId, 0, 1, items, "m", "1.0.0", priority, 0L);
    return new InferenceChunk(header, indexes, offsets, payloads);
  }

  /** A chunk whose items all go to the model. */
  public static PendingChunk pending(ModelKey modelKey, String batchId, int items) {
    return new PendingChunk(chunk(batchId, items, 0, Priority.NORMAL), modelKey, REF, allPositions(items));
  }

  /** A chunk of the given priority whose items all go to the model. */
  public static PendingChunk pending(String batchId, int items, Priority priority) {
    return new PendingChunk(chunk(batchId, items, 0, priority), MODEL, REF, allPositions(items));
  }

  /** A chunk whose items are these UTF-8 texts, all going to the model. */
  public static PendingChunk texts(ModelKey modelKey, String batchId, String... texts) {
    byte[][] items = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      items[i] = texts[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return payloads(modelKey, batchId, 0, items);
  }

  /** A chunk of these payloads (item indexes from {@code firstIndex}), all going to the model. */
  public static PendingChunk payloads(ModelKey modelKey, String batchId, long firstIndex, byte[]... items) {
    long[] indexes = new long[items.length];
    int[] offsets = new int[items.length + 1];
    java.io.ByteArrayOutputStream payloads = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < items.length; i++) {
      indexes[i] = firstIndex + i;
      offsets[i] = payloads.size();
      payloads.writeBytes(items[i]);
    }
    offsets[items.length] = payloads.size();
    ChunkHeader header = new ChunkHeader(batchId, 0, 1, items.length, modelKey.model(), modelKey.version(),
        Priority.NORMAL, 0L);
    return new PendingChunk(new InferenceChunk(header, indexes, offsets, payloads.toByteArray()), modelKey, REF,
        allPositions(items.length));
  }

  public static int[] allPositions(int items) {
    return IntStream.range(0, items).toArray();
  }
}
