package dev.batchinfer.api.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkerTest {

  private static final String BATCH_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"; // 36 chars, like a UUID
  private static final String MODEL = "fashion-mnist";
  private static final String VERSION = "1.0.0";
  private static final int HEADER = ChunkCodec.headerBytes(BATCH_ID, MODEL, VERSION, "");

  private static byte[] payload(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The record the publisher would send for chunk {@code i} of {@code chunks}. */
  private static byte[] encode(List<Chunker.ChunkItems> chunks, int i, long total) {
    Chunker.ChunkItems c = chunks.get(i);
    ChunkHeader h = new ChunkHeader(BATCH_ID, i, chunks.size(), total, MODEL, VERSION, Priority.NORMAL, 1_700_000_000_000L);
    return ChunkCodec.encode(h, c.indexes(), c.offsets(), c.payloads());
  }

  @Test
  void chunks_are_bounded_by_item_count() {
    Chunker chunker = new Chunker(3, 1 << 20, HEADER);
    for (int i = 0; i < 7; i++) {
      chunker.add(i, payload(4, i));
    }

    List<Chunker.ChunkItems> chunks = chunker.finish();

    assertThat(chunks).extracting(Chunker.ChunkItems::size).containsExactly(3, 3, 1);
  }

  @Test
  void every_encoded_record_stays_within_max_record_bytes_and_chunks_are_packed_full() {
    int maxRecordBytes = HEADER + 1_000;
    Chunker chunker = new Chunker(1_000, maxRecordBytes, HEADER);
    List<byte[]> items = new ArrayList<>();
    Random sizes = new Random(42);
    for (int i = 0; i < 300; i++) {
      byte[] p = payload(1 + sizes.nextInt(chunker.maxItemBytes() / 3), i);
      items.add(p);
      chunker.add(i, p);
    }

    List<Chunker.ChunkItems> chunks = chunker.finish();

    assertThat(chunks).hasSizeGreaterThan(1);
    int next = 0;
    for (int i = 0; i < chunks.size(); i++) {
      byte[] record = encode(chunks, i, items.size());
      assertThat(record.length).as("chunk %d", i).isLessThanOrEqualTo(maxRecordBytes);
      next += chunks.get(i).size();
      if (i < chunks.size() - 1) {
        // It was cut only because the next item would not have fit.
        int withNext = record.length + ChunkCodec.ITEM_OVERHEAD_BYTES + items.get(next).length;
        assertThat(withNext).as("chunk %d plus the next item", i).isGreaterThan(maxRecordBytes);
      }
    }
  }

  @Test
  void an_item_of_exactly_the_largest_size_fills_a_record_to_the_byte() {
    int maxRecordBytes = HEADER + 500;
    Chunker chunker = new Chunker(10, maxRecordBytes, HEADER);
    chunker.add(0, payload(1, 0));
    chunker.add(1, payload(chunker.maxItemBytes(), 1));

    List<Chunker.ChunkItems> chunks = chunker.finish();

    assertThat(chunks).extracting(Chunker.ChunkItems::size).containsExactly(1, 1);
    assertThat(encode(chunks, 1, 2)).hasSize(maxRecordBytes);
  }

  @Test
  void indexes_and_payloads_are_preserved_and_contiguous_across_chunks() {
    Chunker chunker = new Chunker(4, HEADER + 100, HEADER);
    List<byte[]> items = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      byte[] p = payload(1 + i % 30, i);
      items.add(p);
      chunker.add(i, p);
    }
    assertThat(chunker.itemCount()).isEqualTo(23);

    List<Chunker.ChunkItems> chunks = chunker.finish();

    List<Long> indexes = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      // Decode the real record, as a worker would.
      InferenceChunk decoded = ChunkCodec.decode(encode(chunks, i, items.size()));
      assertThat(decoded.itemCount()).isEqualTo(chunks.get(i).size());
      for (int j = 0; j < decoded.itemCount(); j++) {
        long index = decoded.itemIndex(j);
        indexes.add(index);
        byte[] got = new byte[decoded.payloadLength(j)];
        decoded.payload(j).get(got);
        assertThat(got).as("item %d", index).isEqualTo(items.get((int) index));
      }
    }
    assertThat(indexes).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 23).boxed().toList());
  }

  @Test
  void an_item_larger_than_a_record_can_hold_is_rejected() {
    Chunker chunker = new Chunker(10, HEADER + 100, HEADER);

    assertThat(chunker.maxItemBytes()).isEqualTo(100 - ChunkCodec.ITEM_OVERHEAD_BYTES);
    assertThatThrownBy(() -> chunker.add(0, new byte[chunker.maxItemBytes() + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 0");
    assertThat(chunker.itemCount()).isZero();
  }

  @Test
  void an_item_without_an_id_that_fills_a_record_after_items_with_ids_starts_the_next_chunk() {
    Chunker chunker = new Chunker(10, HEADER + 100, HEADER);
    chunker.add(0, new byte[10], "a", -1);
    chunker.add(1, new byte[chunker.maxItemBytes()], null, -1);
    List<Chunker.ChunkItems> chunks = chunker.finish();
    assertThat(chunks).extracting(Chunker.ChunkItems::size).containsExactly(1, 1);
    assertThat(chunks.get(1).customIds()).isNull();
    assertThatThrownBy(() -> chunker.add(2, new byte[chunker.maxItemBytes("a") + 1], "a", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void finish_hands_over_the_chunks_and_leaves_the_chunker_empty() {
    Chunker chunker = new Chunker(2, 1 << 16, HEADER);
    chunker.add(0, payload(3, 0));
    chunker.add(1, payload(3, 1));
    chunker.add(2, payload(3, 2));

    List<Chunker.ChunkItems> chunks = chunker.finish();

    assertThat(chunks).hasSize(2);
    assertThat(chunks.get(0).offsets()).containsExactly(0, 3, 6);
    assertThat(chunks.get(1).indexes()).containsExactly(2L);
    assertThat(chunker.itemCount()).isZero();
    assertThat(chunker.finish()).isEmpty();
  }

  @Test
  void bounds_too_small_for_one_item_are_rejected() {
    assertThatThrownBy(() -> new Chunker(0, 1 << 16, HEADER)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Chunker(10, HEADER + ChunkCodec.ITEM_OVERHEAD_BYTES, HEADER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chunk_items_offsets_have_one_entry_per_item_plus_the_end() {
    Chunker chunker = new Chunker(5, 1 << 16, HEADER);
    chunker.add(0, payload(2, 0));
    chunker.add(1, payload(5, 1));

    Chunker.ChunkItems only = chunker.finish().get(0);

    assertThat(only.offsets()).containsExactly(0, 2, 7);
    assertThat(only.payloads()).hasSize(7);
    assertThat(Arrays.copyOfRange(only.payloads(), 2, 7)).isEqualTo(payload(5, 1));
  }

  @Test
  void chunks_sized_from_the_expected_bytes_hold_exactly_their_items_whichever_way_the_guess_was_off() {
    for (long expected : new long[] {0, 5, 12, 13, 1_000}) {
      Chunker chunker = new Chunker(3, 1 << 16, HEADER);
      chunker.expectInputBytes(expected);
      for (int i = 0; i < 4; i++) {
        chunker.add(i, payload(3, i));
      }
      List<Chunker.ChunkItems> chunks = chunker.finish();

      assertThat(chunks).extracting(c -> c.payloads().length).containsExactly(9, 3);
      for (int i = 0; i < 4; i++) {
        Chunker.ChunkItems c = chunks.get(i / 3);
        int at = i % 3;
        assertThat(Arrays.copyOfRange(c.payloads(), c.offsets()[at], c.offsets()[at + 1])).isEqualTo(payload(3, i));
      }
    }
  }
}
