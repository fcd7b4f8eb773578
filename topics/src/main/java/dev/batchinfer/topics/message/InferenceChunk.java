package dev.batchinfer.topics.message;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A slice of a batch's inputs, as one Kafka record. Item payloads are the model's raw input bytes
 * (for example 784 uint8 pixels) laid end to end in one array, so a worker copies them straight
 * into a tensor buffer without per-item objects.
 */
public final class InferenceChunk {

  private final ChunkHeader header;
  private final long[] itemIndexes;
  private final int[] payloadOffsets; // length = items + 1
  private final byte[] payloads;
  private final String[] customIds; // null: the items carry none
  private final long[] parentIndexes; // null: not a retry

  public InferenceChunk(ChunkHeader header, long[] itemIndexes, int[] payloadOffsets, byte[] payloads) {
    this(header, itemIndexes, payloadOffsets, payloads, null, null);
  }

  /**
   * @param customIds the client's id of each item (an entry may be null), or null if none has one
   * @param parentIndexes for a retry batch, each item's index in the batch it retries; else null
   */
  public InferenceChunk(ChunkHeader header, long[] itemIndexes, int[] payloadOffsets, byte[] payloads,
      String[] customIds, long[] parentIndexes) {
    this.header = Objects.requireNonNull(header);
    if (payloadOffsets.length != itemIndexes.length + 1) {
      throw new IllegalArgumentException("need one offset per item plus the end");
    }
    if (customIds != null && customIds.length != itemIndexes.length
        || parentIndexes != null && parentIndexes.length != itemIndexes.length) {
      throw new IllegalArgumentException("custom ids and parent indexes need one entry per item");
    }
    this.itemIndexes = itemIndexes;
    this.payloadOffsets = payloadOffsets;
    this.payloads = payloads;
    this.customIds = customIds;
    this.parentIndexes = parentIndexes;
  }

  /** The client's id of item {@code i}, or null. */
  public String customId(int i) {
    return customIds == null ? null : customIds[i];
  }

  public boolean hasCustomIds() {
    return customIds != null;
  }

  /** The item's index in the batch this one retries, or -1 when this is not a retry batch. */
  public long parentIndex(int i) {
    return parentIndexes == null ? -1 : parentIndexes[i];
  }

  public boolean hasParentIndexes() {
    return parentIndexes != null;
  }

  public ChunkHeader header() {
    return header;
  }

  public int itemCount() {
    return itemIndexes.length;
  }

  /** The item's position in the batch's input list. */
  public long itemIndex(int i) {
    return itemIndexes[i];
  }

  public int payloadLength(int i) {
    return payloadOffsets[i + 1] - payloadOffsets[i];
  }

  public int payloadOffset(int i) {
    return payloadOffsets[i];
  }

  /** The shared backing array; read only {@code [payloadOffset(i), payloadOffset(i) + payloadLength(i))}. */
  public byte[] payloadArray() {
    return payloads;
  }

  public ByteBuffer payload(int i) {
    return ByteBuffer.wrap(payloads, payloadOffsets[i], payloadLength(i)).slice();
  }

  public int payloadBytes() {
    return payloadOffsets[payloadOffsets.length - 1] - payloadOffsets[0];
  }

  @Override
  public String toString() {
    return "chunk " + header.chunkIndex() + (header.countsKnown() ? "/" + header.chunkCount() : "") + " of batch " + header.batchId()
        + " (" + itemCount() + " items)";
  }
}
