package dev.batchinfer.worker.consume;

import dev.batchinfer.store.batch.SkipReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.SkipFlags;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkFixtures;
import org.junit.jupiter.api.Test;

class SkipWatchTest {

  private final InferenceChunk chunk = ChunkFixtures.chunk("b", 3, 10, Priority.NORMAL);

  @Test
  void cancelled_items_are_read_for_a_batch_that_has_some() {
    SkipWatch watch = new SkipWatch(id -> new SkipFlags.Skips(SkipReason.NONE, true), (id, indexes) -> {
      boolean[] out = new boolean[indexes.length];
      out[1] = indexes[1] == 11;
      return out;
    });
    assertThat(watch.cancelledItems(chunk)).containsExactly(false, true, false);
  }

  @Test
  void a_redis_error_while_reading_cancelled_items_means_none_so_the_chunk_runs() {
    SkipWatch watch = new SkipWatch(id -> new SkipFlags.Skips(SkipReason.NONE, true), (id, indexes) -> {
      throw new IllegalStateException("Redis is down");
    });
    assertThat(watch.cancelledItems(chunk)).isNull();
  }

  @Test
  void a_redis_error_while_reading_the_batch_state_also_means_no_cancelled_items() {
    SkipWatch watch = new SkipWatch(id -> {
      throw new IllegalStateException("Redis is down");
    }, (id, indexes) -> new boolean[indexes.length]);
    assertThat(watch.cancelledItems(chunk)).isNull();
  }

  @Test
  void a_redis_error_while_reading_the_batch_state_runs_the_chunk_and_redis_is_not_asked_again_until_the_backoff() {
    long[] now = {0};
    int[] asked = {0};
    SkipWatch watch = new SkipWatch(id -> {
      asked[0]++;
      if (asked[0] == 1) {
        throw new io.lettuce.core.RedisCommandTimeoutException("Command timed out after 5 second(s)");
      }
      return new SkipFlags.Skips(SkipReason.CANCELLED, false);
    }, (id, indexes) -> new boolean[indexes.length], () -> now[0]);

    assertThat(watch.remaining("b")).isEqualTo(SkipReason.NONE);
    assertThat(watch.remaining("other")).isEqualTo(SkipReason.NONE);
    assertThat(asked[0]).as("lookups while Redis is known to be unreachable").isEqualTo(1);

    now[0] += SkipWatch.OUTAGE_BACKOFF.toNanos();
    assertThat(watch.remaining("b")).isEqualTo(SkipReason.CANCELLED);
  }
}
