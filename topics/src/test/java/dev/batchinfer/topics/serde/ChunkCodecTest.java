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
}
