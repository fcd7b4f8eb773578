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
 * flags: u8 (format 3 only): bit 0 items carry a custom id, bit 1 items carry a parent index
 * itemCount: i32; then per item: index i64, [parent index i64], [custom id: u16 length + UTF-8],
 *   payload length i32, payload bytes
 * </pre>
 *
 * <p>Format 3 is written only when it is needed (custom ids, a retry batch's parent indexes, or a
 * streamed upload whose chunk count and total are {@link ChunkHeader#UNKNOWN}), so workers that read
 * only format 2 keep working for everything else during an upgrade. A custom id of null is written
 * with length 0xFFFF.
 */
public final class ChunkCodec {

  static final byte MAGIC_0 = 'B';
  static final byte MAGIC_1 = 'I';
  static final byte FORMAT_VERSION = 2;
  static final byte FORMAT_EXTENDED = 3;
  static final int FLAG_CUSTOM_IDS = 1;
  static final int FLAG_PARENT_INDEXES = 2;
  private static final int NULL_STRING = 0xFFFF;
  /** Per item: index (8) + length (4). */
  public static final int ITEM_OVERHEAD_BYTES = 12;

  private ChunkCodec() {}

  /** Bytes of the encoded header for these strings; used by the chunker to respect a byte bound. */
  public static int headerBytes(String batchId, String model, String modelVersion, String tenant) {
    return 3 + 6 + utf8Length(batchId) + utf8Length(model) + utf8Length(modelVersion) + 4 + 4 + 8 + 1 + 8
        + 2 + utf8Length(tenant) + 4;
  }

  /** Header bytes in format 3 (one flags byte more); an upper bound the chunker can always use. */
  public static int extendedHeaderBytes(String batchId, String model, String modelVersion, String tenant) {
    return headerBytes(batchId, model, modelVersion, tenant) + 1;
  }

  /** Extra bytes an item takes for its custom id in format 3 (0 for no id column). */
  public static int customIdBytes(String customId) {
    return 2 + (customId == null ? 0 : utf8Length(customId));
  }

  /** Extra bytes an item takes for its parent index in format 3. */
  public static final int PARENT_INDEX_BYTES = 8;

  /**
   * Encodes a header and items that are already laid out end to end.
   *
   * @param payloadOffsets one per item plus the end offset, into {@code payloads}
   */
  public static byte[] encode(ChunkHeader h, long[] indexes, int[] payloadOffsets, byte[] payloads) {
    return encode(h, indexes, payloadOffsets, payloads, null, null);
  }

  /**
   * @param customIds one per item (entries may be null), or null for none
   * @param parentIndexes one per item for a retry batch, or null
   */
  public static byte[] encode(ChunkHeader h, long[] indexes, int[] payloadOffsets, byte[] payloads, String[] customIds,
      long[] parentIndexes) {
    byte[] batchId = h.batchId().getBytes(StandardCharsets.UTF_8);
    byte[] model = h.model().getBytes(StandardCharsets.UTF_8);
    byte[] version = h.modelVersion().getBytes(StandardCharsets.UTF_8);
    int n = indexes.length;
    int flags = (customIds != null ? FLAG_CUSTOM_IDS : 0) | (parentIndexes != null ? FLAG_PARENT_INDEXES : 0);
    boolean extended = flags != 0 || !h.countsKnown();
    byte[][] ids = null;
    int size = (extended ? extendedHeaderBytes(h.batchId(), h.model(), h.modelVersion(), h.tenant())
        : headerBytes(h.batchId(), h.model(), h.modelVersion(), h.tenant()))
        + n * ITEM_OVERHEAD_BYTES + payloadOffsets[n] - payloadOffsets[0];
    if (customIds != null) {
      ids = new byte[n][];
      for (int i = 0; i < n; i++) {
        ids[i] = customIds[i] == null ? null : customIds[i].getBytes(StandardCharsets.UTF_8);
        size += 2 + (ids[i] == null ? 0 : ids[i].length);
      }
    }
    if (parentIndexes != null) {
      size += n * PARENT_INDEX_BYTES;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(MAGIC_0).put(MAGIC_1).put(extended ? FORMAT_EXTENDED : FORMAT_VERSION);
    putString(out, batchId);
    putString(out, model);
    putString(out, version);
    out.putInt(h.chunkIndex()).putInt(h.chunkCount()).putLong(h.totalItems());
    out.put((byte) h.priority().ordinal()).putLong(h.createdAtMs());
    putString(out, h.tenant().getBytes(StandardCharsets.UTF_8));
    if (extended) {
      out.put((byte) flags);
    }
    out.putInt(n);
    for (int i = 0; i < n; i++) {
      int length = payloadOffsets[i + 1] - payloadOffsets[i];
      out.putLong(indexes[i]);
      if (parentIndexes != null) {
        out.putLong(parentIndexes[i]);
      }
      if (ids != null) {
        if (ids[i] == null) {
          out.putShort((short) NULL_STRING);
        } else {
          putString(out, ids[i]);
        }
      }
      out.putInt(length).put(payloads, payloadOffsets[i], length);
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
    String[] ids = null;
    long[] parents = null;
    if (chunk.hasCustomIds()) {
      ids = new String[n];
      for (int i = 0; i < n; i++) {
        ids[i] = chunk.customId(i);
      }
    }
    if (chunk.hasParentIndexes()) {
      parents = new long[n];
      for (int i = 0; i < n; i++) {
        parents[i] = chunk.parentIndex(i);
      }
    }
    return encode(chunk.header(), indexes, offsets, chunk.payloadArray(), ids, parents);
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
      if (version < 1 || version > FORMAT_EXTENDED) {
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
      boolean unknown = version == FORMAT_EXTENDED && chunkCount == ChunkHeader.UNKNOWN
          && totalItems == ChunkHeader.UNKNOWN;
      if (chunkIndex < 0 || !unknown && (chunkCount <= chunkIndex || totalItems < 0) || batchId.isEmpty()) {
        throw new UndecodableRecordException(
            "inconsistent header: chunk " + chunkIndex + " of " + chunkCount + ", " + totalItems + " items");
      }
      int flags = version == FORMAT_EXTENDED ? in.get() : 0;
      if ((flags & ~(FLAG_CUSTOM_IDS | FLAG_PARENT_INDEXES)) != 0) {
        throw new UndecodableRecordException("unknown chunk flags " + flags);
      }
      int n = in.getInt();
      // Every item needs at least its overhead: a count larger than the bytes left is corrupt.
      if (n < 0 || (long) n * ITEM_OVERHEAD_BYTES > in.remaining()) {
        throw new UndecodableRecordException("item count " + n + " does not fit in the record");
      }
      long[] indexes = new long[n];
      int[] offsets = new int[n + 1];
      String[] ids = (flags & FLAG_CUSTOM_IDS) != 0 ? new String[n] : null;
      long[] parents = (flags & FLAG_PARENT_INDEXES) != 0 ? new long[n] : null;
      // An upper bound for a format without per-item extras; exact after the loop via offsets[n].
      byte[] payloads = new byte[in.remaining() - n * ITEM_OVERHEAD_BYTES];
      int at = 0;
      for (int i = 0; i < n; i++) {
        indexes[i] = in.getLong();
        if (parents != null) {
          parents[i] = in.getLong();
        }
        if (ids != null) {
          int idLength = Short.toUnsignedInt(in.getShort());
          if (idLength != NULL_STRING) {
            in.position(in.position() - 2);
            ids[i] = getString(in);
          }
        }
        int length = in.getInt();
        if (length < 0 || length > in.remaining() || at + length > payloads.length) {
          throw new UndecodableRecordException("item " + i + " claims " + length + " bytes; the record is shorter");
        }
        offsets[i] = at;
        in.get(payloads, at, length);
        at += length;
      }
      offsets[n] = at;
      if ((ids != null || parents != null) && at < payloads.length) {
        payloads = java.util.Arrays.copyOf(payloads, at); // the bound above counted the extras too
      }
      if (in.hasRemaining()) {
        throw new UndecodableRecordException(in.remaining() + " unexpected bytes after the last item");
      }
      ChunkHeader header =
          new ChunkHeader(batchId, chunkIndex, chunkCount, totalItems, model, modelVersion,
              Priority.values()[priorityOrdinal], createdAtMs, tenant);
      return new InferenceChunk(header, indexes, offsets, payloads, ids, parents);
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
