package dev.batchinfer.topics.serde;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of an {@link InferenceChunk}: a small header, then per item its index and raw
 * payload. Far smaller and cheaper than JSON for numeric inputs (784 pixels: 784 bytes instead of
 * ~3 kB of text), and it decodes without creating an object per value.
 *
 * <pre>
 * magic "BI" (2 bytes), format version (1 byte)
 * batchId, model, modelVersion: u16 length + UTF-8
 * chunkIndex, chunkCount: i32; totalItems: i64; priority: u8; createdAtMs: i64
 * tenant: u16 length + UTF-8 (format 2; format 1 records have none)
 * itemCount: i32; then per item: index i64, payload length i32, payload bytes
 * </pre>
 */
public final class ChunkCodec {

  static final byte MAGIC_0 = 'B';
  static final byte MAGIC_1 = 'I';
  static final byte FORMAT_VERSION = 2;
  /** Per item: index (8) + length (4). */
  public static final int ITEM_OVERHEAD_BYTES = 12;

  private ChunkCodec() {}

  /** Bytes of the encoded header for these strings; used by the chunker to respect a byte bound. */
  public static int headerBytes(String batchId, String model, String modelVersion, String tenant) {
    return 3 + 6 + utf8Length(batchId) + utf8Length(model) + utf8Length(modelVersion) + 4 + 4 + 8 + 1 + 8
        + 2 + utf8Length(tenant) + 4;
  }

  /**
   * Encodes a header and items that are already laid out end to end.
   *
   * @param payloadOffsets one per item plus the end offset, into {@code payloads}
   */
  public static byte[] encode(ChunkHeader h, long[] indexes, int[] payloadOffsets, byte[] payloads) {
    byte[] batchId = h.batchId().getBytes(StandardCharsets.UTF_8);
    byte[] model = h.model().getBytes(StandardCharsets.UTF_8);
    byte[] version = h.modelVersion().getBytes(StandardCharsets.UTF_8);
    int n = indexes.length;
    int payloadBytes = payloadOffsets[n] - payloadOffsets[0];
    int size = headerBytes(h.batchId(), h.model(), h.modelVersion(), h.tenant()) + n * ITEM_OVERHEAD_BYTES + payloadBytes;
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(MAGIC_0).put(MAGIC_1).put(FORMAT_VERSION);
    putString(out, batchId);
    putString(out, model);
    putString(out, version);
    out.putInt(h.chunkIndex()).putInt(h.chunkCount()).putLong(h.totalItems());
    out.put((byte) h.priority().ordinal()).putLong(h.createdAtMs());
    putString(out, h.tenant().getBytes(StandardCharsets.UTF_8));
    out.putInt(n);
    for (int i = 0; i < n; i++) {
      int length = payloadOffsets[i + 1] - payloadOffsets[i];
      out.putLong(indexes[i]).putInt(length).put(payloads, payloadOffsets[i], length);
    }
    return out.array();
  }

  public static byte[] encode(InferenceChunk chunk) {
    int n = chunk.itemCount();
    long[] indexes = new long[n];
    int[] offsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      indexes[i] = chunk.itemIndex(i);
      offsets[i] = chunk.payloadOffset(i);
    }
    offsets[n] = n == 0 ? 0 : chunk.payloadOffset(n - 1) + chunk.payloadLength(n - 1);
    return encode(chunk.header(), indexes, offsets, chunk.payloadArray());
  }

  /**
   * Decodes a record. Item payloads are not interpreted here: a payload of the wrong size for its
   * model is the worker's per-item error, not a broken record.
   *
   * @throws UndecodableRecordException when the bytes are not a chunk of a known format
   */
  public static InferenceChunk decode(byte[] bytes) {
    if (bytes == null) {
      throw new UndecodableRecordException("record has no value");
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != MAGIC_0 || in.get() != MAGIC_1) {
        throw new UndecodableRecordException("not an inference chunk (bad magic bytes)");
      }
      byte version = in.get();
      if (version != 1 && version != FORMAT_VERSION) {
        throw new UndecodableRecordException("unknown chunk format version " + version);
      }
      String batchId = getString(in);
      String model = getString(in);
      String modelVersion = getString(in);
      int chunkIndex = in.getInt();
      int chunkCount = in.getInt();
      long totalItems = in.getLong();
      int priorityOrdinal = in.get();
      long createdAtMs = in.getLong();
      String tenant = version >= 2 ? getString(in) : "";
      if (priorityOrdinal < 0 || priorityOrdinal >= Priority.values().length) {
        throw new UndecodableRecordException("unknown priority " + priorityOrdinal);
      }
      if (chunkIndex < 0 || chunkCount <= chunkIndex || totalItems < 0 || batchId.isEmpty()) {
        throw new UndecodableRecordException(
            "inconsistent header: chunk " + chunkIndex + " of " + chunkCount + ", " + totalItems + " items");
      }
      int n = in.getInt();
      // Every item needs at least its overhead: a count larger than the bytes left is corrupt.
      if (n < 0 || (long) n * ITEM_OVERHEAD_BYTES > in.remaining()) {
        throw new UndecodableRecordException("item count " + n + " does not fit in the record");
      }
      long[] indexes = new long[n];
      int[] offsets = new int[n + 1];
      byte[] payloads = new byte[in.remaining() - n * ITEM_OVERHEAD_BYTES];
      int at = 0;
      for (int i = 0; i < n; i++) {
        indexes[i] = in.getLong();
        int length = in.getInt();
        if (length < 0 || length > in.remaining() || at + length > payloads.length) {
          throw new UndecodableRecordException("item " + i + " claims " + length + " bytes; the record is shorter");
        }
        offsets[i] = at;
        in.get(payloads, at, length);
        at += length;
      }
      offsets[n] = at;
      if (in.hasRemaining()) {
        throw new UndecodableRecordException(in.remaining() + " unexpected bytes after the last item");
      }
      ChunkHeader header =
          new ChunkHeader(batchId, chunkIndex, chunkCount, totalItems, model, modelVersion,
              Priority.values()[priorityOrdinal], createdAtMs, tenant);
      return new InferenceChunk(header, indexes, offsets, payloads);
    } catch (BufferUnderflowException e) {
      throw new UndecodableRecordException("record is truncated");
    }
  }

  private static void putString(ByteBuffer out, byte[] utf8) {
    out.putShort((short) utf8.length).put(utf8);
  }

  private static String getString(ByteBuffer in) {
    int length = Short.toUnsignedInt(in.getShort());
    if (length > in.remaining()) {
      throw new UndecodableRecordException("string of " + length + " bytes does not fit in the record");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
