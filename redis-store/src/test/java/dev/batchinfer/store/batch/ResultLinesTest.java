package dev.batchinfer.store.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.Priority;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultLinesTest {

  @Test
  void reads_the_index_from_the_start_of_a_line() {
    assertThat(ResultLines.indexOf("{\"index\":1234,\"result\":{}}")).isEqualTo(1234);
  }

  @Test
  void selects_lines_in_a_window_across_chunks() {
    List<String> chunks = List.of("{\"index\":0,\"a\":1}\n{\"index\":1,\"a\":1}\n", "{\"index\":2,\"a\":1}\n{\"index\":3,\"a\":1}\n");
    assertThat(ResultLines.inRange(chunks, 1, 3)).containsExactly("{\"index\":1,\"a\":1}", "{\"index\":2,\"a\":1}");
  }

  @Test
  void record_maps_an_item_to_its_chunk() {
    BatchRecord r = BatchRecord.queued("b", "tenant-a", "m", "1.0.0", Priority.NORMAL, 25, new long[] {0, 10, 20}, null, List.of(), null,
        Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
        java.time.Duration.ofDays(1));
    assertThat(r.chunkOf(0)).isEqualTo(0);
    assertThat(r.chunkOf(9)).isEqualTo(0);
    assertThat(r.chunkOf(10)).isEqualTo(1);
    assertThat(r.chunkOf(24)).isEqualTo(2);
    assertThat(r.chunkEnd(0)).isEqualTo(10);
    assertThat(r.chunkEnd(2)).as("the last chunk ends at the total").isEqualTo(25);
  }
}
