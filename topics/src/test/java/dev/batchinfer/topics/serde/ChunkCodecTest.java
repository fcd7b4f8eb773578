package dev.batchinfer.topics.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {

  private static final ChunkHeader HEADER =
      new ChunkHeader("b-1", 2, 5, 4321, "fashion-mnist", "1.0.0", Priority.LOW, 1_700_000_000_000L);

  private static byte[] encodeThreeItems() {
    byte[] payloads = {1, 2, 3, 4, 5, 6};
    return ChunkCodec.encode(HEADER, new long[] {10, 11, 12}, new int[] {0, 2, 5, 6}, payloads);
  }

  @Test
  void round_trips_header_indexes_and_payloads() {
    InferenceChunk chunk = ChunkCodec.decode(encodeThreeItems());

    assertThat(chunk.header()).isEqualTo(HEADER);
    assertThat(chunk.itemCount()).isEqualTo(3);
    assertThat(chunk.itemIndex(2)).isEqualTo(12);
    assertThat(chunk.payloadLength(0)).isEqualTo(2);
    assertThat(chunk.payloadLength(1)).isEqualTo(3);
    byte[] second = new byte[3];
    chunk.payload(1).get(second);
    assertThat(second).containsExactly(3, 4, 5);
    assertThat(ChunkCodec.encode(chunk)).isEqualTo(encodeThreeItems());
  }

  @Test
  void encoded_size_is_header_plus_twelve_bytes_per_item_plus_payload() {
    assertThat(encodeThreeItems())
        .hasSize(ChunkCodec.headerBytes("b-1", "fashion-mnist", "1.0.0", "") + 3 * ChunkCodec.ITEM_OVERHEAD_BYTES + 6);
  }

  @Test
  void truncated_record_is_undecodable() {
    byte[] bytes = encodeThreeItems();
    assertThatThrownBy(() -> ChunkCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(UndecodableRecordException.class);
  }

  @Test
  void foreign_bytes_are_undecodable_with_a_reason() {
    assertThatThrownBy(() -> ChunkCodec.decode("{\"json\":true}".getBytes()))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("magic");
    assertThatThrownBy(() -> ChunkCodec.decode(null)).isInstanceOf(UndecodableRecordException.class);
  }

  @Test
  void item_count_larger_than_record_is_undecodable() {
    byte[] bytes = encodeThreeItems();
    int countAt = ChunkCodec.headerBytes("b-1", "fashion-mnist", "1.0.0", "") - 4;
    bytes[countAt] = 0x7f;
    assertThatThrownBy(() -> ChunkCodec.decode(bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("item count");
  }

  @Test
  void a_chunk_without_ids_and_with_known_counts_is_still_written_in_format_2() {
    assertThat(encodeThreeItems()[2]).isEqualTo((byte) 2);
  }

  @Test
  void format_3_round_trips_custom_ids_parent_indexes_and_unknown_counts() {
    ChunkHeader streamed = new ChunkHeader("b-2", 7, ChunkHeader.UNKNOWN, ChunkHeader.UNKNOWN, "language-id", "1.0.0",
        Priority.HIGH, 5L, "acme");
    byte[] payloads = {1, 2, 3, 4, 5, 6};
    byte[] bytes = ChunkCodec.encode(streamed, new long[] {0, 1, 2}, new int[] {0, 2, 5, 6}, payloads,
        new String[] {"a-1", null, "ünï"}, new long[] {40, 41, 97});

    InferenceChunk chunk = ChunkCodec.decode(bytes);

    assertThat(bytes[2]).isEqualTo((byte) 3);
    assertThat(chunk.header()).isEqualTo(streamed);
    assertThat(chunk.header().countsKnown()).isFalse();
    assertThat(chunk.customId(0)).isEqualTo("a-1");
    assertThat(chunk.customId(1)).isNull();
    assertThat(chunk.customId(2)).isEqualTo("ünï");
    assertThat(chunk.parentIndex(2)).isEqualTo(97);
    byte[] third = new byte[1];
    chunk.payload(2).get(third);
    assertThat(third).containsExactly(6);
    assertThat(chunk.payloadBytes()).isEqualTo(6);
    assertThat(ChunkCodec.encode(chunk)).isEqualTo(bytes);
  }

  @Test
  void format_3_without_parent_indexes_has_none() {
    byte[] bytes = ChunkCodec.encode(HEADER, new long[] {3}, new int[] {0, 1}, new byte[] {9}, new String[] {"x"}, null);
    InferenceChunk chunk = ChunkCodec.decode(bytes);
    assertThat(chunk.hasParentIndexes()).isFalse();
    assertThat(chunk.parentIndex(0)).isEqualTo(-1);
    assertThat(chunk.customId(0)).isEqualTo("x");
  }

  @Test
  void unknown_counts_are_undecodable_in_format_2() {
    byte[] bytes = encodeThreeItems();
    int countAt = 3 + 2 + 3 + 2 + "fashion-mnist".length() + 2 + 5 + 4; // after chunkIndex
    java.nio.ByteBuffer.wrap(bytes).putInt(countAt, -1).putLong(countAt + 4, -1);
    assertThatThrownBy(() -> ChunkCodec.decode(bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("inconsistent header");
  }
}
