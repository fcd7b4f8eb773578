package dev.batchinfer.api.submit;

import dev.batchinfer.topics.serde.ChunkCodec;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packs encoded items into chunks bounded both in items and in bytes (the whole Kafka record,
 * header included), keeping each item's index.
 */
public final class Chunker {

  /** One chunk's items, laid out as the codec wants them. */
  public record ChunkItems(long[] indexes, int[] offsets, byte[] payloads) {
    public int size() {
      return indexes.length;
    }
  }

  private final int maxItems;
  private final int maxRecordBytes;
  private final int headerBytes;
  private final List<ChunkItems> done = new ArrayList<>();
  private long[] indexes;
  private int[] offsets;
  private ByteArrayOutputStream payloads;
  private int count;
  private long items;

  public Chunker(int maxItems, int maxRecordBytes, int headerBytes) {
    if (maxItems < 1 || maxRecordBytes <= headerBytes + ChunkCodec.ITEM_OVERHEAD_BYTES) {
      throw new IllegalArgumentException("chunk bounds too small: " + maxItems + " items, " + maxRecordBytes + " bytes");
    }
    this.maxItems = maxItems;
    this.maxRecordBytes = maxRecordBytes;
    this.headerBytes = headerBytes;
    reset();
  }

  /** The largest payload one item may have. */
  public int maxItemBytes() {
    return maxRecordBytes - headerBytes - ChunkCodec.ITEM_OVERHEAD_BYTES;
  }

  public void add(long index, byte[] payload) {
    if (payload.length > maxItemBytes()) {
      throw new IllegalArgumentException("item " + index + " has " + payload.length + " bytes; at most " + maxItemBytes() + " fit in a chunk");
    }
    int recordBytes = headerBytes + (count + 1) * ChunkCodec.ITEM_OVERHEAD_BYTES + payloads.size() + payload.length;
    if (count == maxItems || recordBytes > maxRecordBytes) {
      cut();
    }
    indexes[count] = index;
    offsets[count] = payloads.size();
    payloads.writeBytes(payload);
    count++;
    items++;
  }

  public long itemCount() {
    return items;
  }

  /** The chunks, in order; the chunker is empty afterwards. */
  public List<ChunkItems> finish() {
    if (count > 0) {
      cut();
    }
    List<ChunkItems> out = List.copyOf(done);
    done.clear();
    items = 0;
    return out;
  }

  private void cut() {
    int[] ends = Arrays.copyOf(offsets, count + 1);
    ends[count] = payloads.size();
    done.add(new ChunkItems(Arrays.copyOf(indexes, count), ends, payloads.toByteArray()));
    reset();
  }

  private void reset() {
    indexes = new long[maxItems];
    offsets = new int[maxItems + 1];
    payloads = new ByteArrayOutputStream();
    count = 0;
  }
}
