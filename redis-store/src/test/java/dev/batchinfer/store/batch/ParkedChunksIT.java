package dev.batchinfer.store.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.Redis;
import io.lettuce.core.ScanCursor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A paused batch's parked chunks against a real Redis: read back a page at a time, each chunk once. */
class ParkedChunksIT {

  private final TestNamespace ns = TestNamespace.create("parked");
  private final Redis redis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
  private final ParkedChunks parked = new ParkedChunks(redis);

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  void a_release_reads_the_chunks_a_page_at_a_time_and_each_once() {
    String batch = "b-" + System.nanoTime();
    for (int i = 0; i < 100; i++) {
      // Past 64 bytes a hash is a real hash table, as one of megabyte chunks is, and HSCAN pages it.
      parked.park(batch, i, record(i));
    }
    Map<Integer, Integer> seen = new HashMap<>();
    int pages = 0;
    int largest = 0;
    ScanCursor at = ScanCursor.INITIAL;
    ParkedChunks.Page page;
    do {
      page = parked.parked(batch, at, 16);
      page.chunks().forEach((index, record) -> {
        assertThat(record).isEqualTo(record(index));
        seen.merge(index, 1, Integer::sum);
      });
      largest = Math.max(largest, page.chunks().size());
      parked.released(batch, page.chunks().keySet()); // as a release does, page by page
      pages++;
      at = page.next();
    } while (!page.last());

    assertThat(seen).hasSize(100).allSatisfy((index, times) -> assertThat(times).as("chunk " + index).isEqualTo(1));
    assertThat(pages).as("pages").isGreaterThan(1);
    assertThat(largest).as("chunks held at once").isLessThan(100);
    assertThat(parked.count(batch)).isZero();
    assertThat(parked.batches(1000)).doesNotContain(batch);
  }

  private static byte[] record(int index) {
    return ("chunk " + index + " " + "x".repeat(200)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
