package dev.batchinfer.api.submit;

import dev.batchinfer.topics.serde.ChunkCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs encoded items into chunks bounded both in items and in bytes (the whole Kafka record,
 * header included), keeping each item's index, and hands each chunk to a sink as soon as it is
 * full, so a streamed upload holds one chunk at a time. Items may carry a client's custom id and,
 * in a retry batch, their index in the parent batch; both count against the byte bound.
 */
public final class Chunker {

  /**
   * One chunk's items, laid out as the codec wants them.
   *
   * @param customIds one per item (entries may be null), or null when no item of the chunk has one
   * @param parentIndexes one per item in a retry batch, else null
   */
  public record ChunkItems(long[] indexes, int[] offsets, byte[] payloads, String[] customIds, long[] parentIndexes) {
    public ChunkItems(long[] indexes, int[] offsets, byte[] payloads) {
      this(indexes, offsets, payloads, null, null);
    }

    public int size() {
      return indexes.length;
    }

    /** Bytes of the items' encoded inputs. */
    public long inputBytes() {
      return offsets[offsets.length - 1] - offsets[0];
    }
  }

  private final int maxItems;
  private final int maxRecordBytes;
  private final int headerBytes;
  private final Consumer<ChunkItems> sink;
  private final List<ChunkItems> collected;
  private long[] indexes;
  private int[] offsets;
  private String[] customIds;
  private long[] parentIndexes;
  private boolean anyCustomId;
  // The current chunk's inputs end to end, sized by expectInputBytes when it was called: a chunk
  // grown by doubling copies its bytes about twice more, and a spike of raw uploads felt that in GC.
  private byte[] payloads;
  private int used;
  private long expectedInputBytes = -1;
  private int extraBytes;
  private int count;
  private long items;
  private long chunks;
  private long inputBytes;

  /** A chunker that keeps its chunks until {@link #finish}. */
  public Chunker(int maxItems, int maxRecordBytes, int headerBytes) {
    this(maxItems, maxRecordBytes, headerBytes, null);
  }

  /** A chunker that hands every full chunk to {@code sink} at once (and the last one at {@link #finish}). */
  public Chunker(int maxItems, int maxRecordBytes, int headerBytes, Consumer<ChunkItems> sink) {
    if (maxItems < 1 || maxRecordBytes <= headerBytes + ChunkCodec.ITEM_OVERHEAD_BYTES) {
      throw new IllegalArgumentException("chunk bounds too small: " + maxItems + " items, " + maxRecordBytes + " bytes");
    }
    this.maxItems = maxItems;
    this.maxRecordBytes = maxRecordBytes;
    this.headerBytes = headerBytes;
    this.collected = sink == null ? new ArrayList<>() : null;
    this.sink = sink == null ? collected::add : sink;
    reset();
  }

  /**
   * Says how many input bytes the whole batch will likely have (a raw upload's Content-Length), so
   * each chunk's buffer is allocated at its final size. A wrong guess costs only a copy.
   */
  public void expectInputBytes(long bytes) {
    expectedInputBytes = bytes;
    if (count == 0) {
      payloads = new byte[initialCapacity()];
    }
  }

  /** The largest payload one item (without custom id) may have. */
  public int maxItemBytes() {
    return maxRecordBytes - headerBytes - ChunkCodec.ITEM_OVERHEAD_BYTES;
  }

  /** The largest payload one item with {@code customId} (null: none) may have. */
  public int maxItemBytes(String customId) {
    return maxItemBytes() - (customId == null ? 0 : ChunkCodec.customIdBytes(customId));
  }

  public void add(long index, byte[] payload) {
    add(index, payload, null, -1);
  }

  /**
   * @param customId the client's id of the item, or null
   * @param parentIndex the item's index in the batch this one retries, or -1
   */
  public void add(long index, byte[] payload, String customId, long parentIndex) {
    // Bounded as the first item of a chunk: an item without an id that would not fit beside the
    // current chunk's id column goes to the next chunk instead (below).
    int alone = (parentIndex >= 0 ? ChunkCodec.PARENT_INDEX_BYTES : 0);
    if (payload.length + alone > maxItemBytes(customId)) {
      throw new IllegalArgumentException("item " + index + " has " + payload.length + " bytes; at most "
          + (maxItemBytes(customId) - alone) + " fit in a chunk");
    }
    int extra = (customId != null || anyCustomId ? ChunkCodec.customIdBytes(customId) : 0) + alone;
    // Once one item has an id, every item of the chunk pays for an id column (2 bytes when empty).
    int idColumn = customId != null && !anyCustomId ? 2 * count : 0;
    int recordBytes = headerBytes + (count + 1) * ChunkCodec.ITEM_OVERHEAD_BYTES + used + payload.length
        + extraBytes + extra + idColumn;
    if (count == maxItems || recordBytes > maxRecordBytes) {
      cut();
      idColumn = 0;
      extra = (customId != null ? ChunkCodec.customIdBytes(customId) : 0) + (parentIndex >= 0 ? ChunkCodec.PARENT_INDEX_BYTES : 0);
    }
    if (customId != null && !anyCustomId) {
      anyCustomId = true;
      extraBytes += idColumn;
    }
    if (parentIndex >= 0) {
      if (parentIndexes == null) {
        parentIndexes = new long[maxItems];
      }
      parentIndexes[count] = parentIndex;
    }
    indexes[count] = index;
    offsets[count] = used;
    customIds[count] = customId;
    if (used + payload.length > payloads.length) {
      payloads = Arrays.copyOf(payloads, Math.max(used + payload.length, 2 * payloads.length));
    }
    System.arraycopy(payload, 0, payloads, used, payload.length);
    used += payload.length;
    extraBytes += extra;
    count++;
    items++;
    inputBytes += payload.length;
  }

  public long itemCount() {
    return items;
  }

  /** Chunks cut so far (the one being filled not included). */
  public long chunkCount() {
    return chunks;
  }

  /** Bytes of every item's encoded input. */
  public long inputBytes() {
    return inputBytes;
  }

  /**
   * Cuts the last chunk. A collecting chunker returns its chunks, in order, and is empty afterwards;
   * one with a sink returns an empty list.
   */
  public List<ChunkItems> finish() {
    if (count > 0) {
      cut();
    }
    if (collected == null) {
      return List.of();
    }
    List<ChunkItems> out = List.copyOf(collected);
    collected.clear();
    items = 0;
    return out;
  }

  private void cut() {
    int[] ends = Arrays.copyOf(offsets, count + 1);
    ends[count] = used;
    ChunkItems chunk = new ChunkItems(Arrays.copyOf(indexes, count), ends,
        used == payloads.length ? payloads : Arrays.copyOf(payloads, used),
        anyCustomId ? Arrays.copyOf(customIds, count) : null,
        parentIndexes != null ? Arrays.copyOf(parentIndexes, count) : null);
    reset();
    chunks++;
    sink.accept(chunk);
  }

  /** What is still expected, up to what one chunk can hold; a small start when nothing is expected. */
  private int initialCapacity() {
    long left = expectedInputBytes - inputBytes;
    return left > 0 ? (int) Math.min(left, maxRecordBytes - headerBytes) : 256;
  }

  private void reset() {
    indexes = new long[maxItems];
    offsets = new int[maxItems + 1];
    customIds = new String[maxItems];
    parentIndexes = null;
    anyCustomId = false;
    extraBytes = 0;
    count = 0;
    used = 0;
    payloads = new byte[initialCapacity()];
  }
}
