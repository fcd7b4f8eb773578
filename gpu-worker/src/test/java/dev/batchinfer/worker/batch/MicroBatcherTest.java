package dev.batchinfer.worker.batch;

import static dev.batchinfer.worker.batch.ChunkFixtures.chunk;
import static dev.batchinfer.worker.batch.ChunkFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.MicroBatcher.Batch;
import dev.batchinfer.worker.batch.MicroBatcher.Slice;
import dev.batchinfer.worker.infer.ModelKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  private static final long DELAY = 1_000;
  private static final ModelKey A = new ModelKey("a", "1.0.0");
  private static final ModelKey B = new ModelKey("b", "1.0.0");

  private static MicroBatcher batcher(int maxBatch) {
    return new MicroBatcher(maxBatch, DELAY, key -> 1_000);
  }

  /** Each slice as "batchId:from-to", in batch order. */
  private static List<String> describe(Batch batch) {
    List<String> out = new ArrayList<>();
    for (Slice s : batch.slices()) {
      out.add(s.chunk().chunk().header().batchId() + ":" + s.from() + "-" + s.to());
    }
    return out;
  }

  @Test
  void full_batch_is_released_without_waiting() {
    MicroBatcher b = batcher(4);
    PendingChunk c = pending(A, "c", 4);
    b.add(c, 0);

    Batch batch = b.poll(0);

    assertThat(batch).isNotNull();
    assertThat(batch.modelKey()).isEqualTo(A);
    assertThat(batch.size()).isEqualTo(4);
    assertThat(describe(batch)).containsExactly("c:0-4");
    assertThat(b.pendingItems()).isZero();
    assertThat(b.poll(0)).isNull();
  }

  @Test
  void partial_batch_is_released_only_once_its_oldest_item_has_waited_the_max_queue_delay() {
    MicroBatcher b = batcher(4);
    b.add(pending(A, "c", 2), 100);

    assertThat(b.poll(100)).isNull();
    assertThat(b.poll(100 + DELAY - 1)).isNull();
    Batch batch = b.poll(100 + DELAY);

    assertThat(batch).isNotNull();
    assertThat(batch.size()).isEqualTo(2);
    assertThat(describe(batch)).containsExactly("c:0-2");
  }

  @Test
  void a_later_chunk_does_not_push_back_the_deadline_of_items_already_waiting() {
    MicroBatcher b = batcher(8);
    b.add(pending(A, "first", 1), 0);
    b.add(pending(A, "second", 1), DELAY - 1);

    Batch batch = b.poll(DELAY);

    assertThat(batch).isNotNull();
    assertThat(describe(batch)).containsExactly("first:0-1", "second:0-1");
  }

  @Test
  void batches_never_mix_model_keys() {
    MicroBatcher b = batcher(8);
    b.add(pending(A, "a1", 2), 0);
    b.add(pending(B, "b1", 3), 0);
    b.add(pending(A, "a2", 2), 0);

    Batch first = b.poll(DELAY);
    Batch second = b.poll(DELAY);

    assertThat(first.modelKey()).isEqualTo(A);
    assertThat(describe(first)).containsExactly("a1:0-2", "a2:0-2");
    assertThat(first.slices()).allSatisfy(s -> assertThat(s.chunk().modelKey()).isEqualTo(A));
    assertThat(second.modelKey()).isEqualTo(B);
    assertThat(describe(second)).containsExactly("b1:0-3");
    assertThat(second.slices()).allSatisfy(s -> assertThat(s.chunk().modelKey()).isEqualTo(B));
    assertThat(b.poll(DELAY)).isNull();
  }

  @Test
  void items_of_another_model_do_not_fill_up_a_batch() {
    MicroBatcher b = batcher(4);
    b.add(pending(A, "a", 2), 0);
    b.add(pending(B, "b", 2), 0);

    // Four items wait, but no model has a full batch of its own.
    assertThat(b.pendingItems()).isEqualTo(4);
    assertThat(b.poll(0)).isNull();
  }

  @Test
  void a_models_own_max_batch_caps_the_global_one() {
    MicroBatcher b = new MicroBatcher(8, DELAY, Map.of(A, 3, B, 100)::get);
    b.add(pending(A, "a", 5), 0);
    b.add(pending(B, "b", 9), 0);

    Batch a = b.poll(0);
    assertThat(a.modelKey()).isEqualTo(A);
    assertThat(a.size()).isEqualTo(3);
    assertThat(describe(a)).containsExactly("a:0-3");

    // A larger model limit does not lift the global one.
    Batch bBatch = b.poll(0);
    assertThat(bBatch.modelKey()).isEqualTo(B);
    assertThat(bBatch.size()).isEqualTo(8);
  }

  @Test
  void a_chunk_larger_than_a_batch_is_split_across_batches_and_the_slices_keep_their_positions() {
    MicroBatcher b = batcher(4);
    // Items 1 and 4 failed their checks: runnable positions skip them.
    int[] runnable = {0, 2, 3, 5, 6, 7, 8, 9, 10, 11};
    PendingChunk c = new PendingChunk(chunk("big", 12, 100, Priority.NORMAL), A, ChunkFixtures.REF, runnable);
    b.add(c, 0);

    Batch first = b.poll(0);
    Batch second = b.poll(0);
    assertThat(b.poll(0)).as("a 2-item remainder is not a full batch").isNull();
    Batch third = b.poll(DELAY);

    assertThat(describe(first)).containsExactly("big:0-4");
    assertThat(describe(second)).containsExactly("big:4-8");
    assertThat(describe(third)).containsExactly("big:8-10");
    List<Integer> positions = new ArrayList<>();
    for (Batch batch : List.of(first, second, third)) {
      for (Slice s : batch.slices()) {
        assertThat(s.chunk()).isSameAs(c);
        for (int r = s.from(); r < s.to(); r++) {
          positions.add(c.runnablePosition(r));
        }
      }
    }
    assertThat(positions).containsExactly(0, 2, 3, 5, 6, 7, 8, 9, 10, 11);
    assertThat(b.pendingItems()).isZero();
  }

  @Test
  void items_of_several_chunks_pack_into_one_batch_in_arrival_order() {
    MicroBatcher b = batcher(6);
    b.add(pending(A, "x", 2), 0);
    b.add(pending(A, "y", 3), 1);
    b.add(pending(A, "z", 1), 2);

    Batch batch = b.poll(2);

    assertThat(batch).isNotNull();
    assertThat(batch.size()).isEqualTo(6);
    assertThat(describe(batch)).containsExactly("x:0-2", "y:0-3", "z:0-1");
  }

  @Test
  void a_chunk_that_straddles_a_batch_boundary_continues_at_the_head_of_the_next_batch() {
    MicroBatcher b = batcher(4);
    b.add(pending(A, "x", 3), 0);
    b.add(pending(A, "y", 3), 0);
    b.add(pending(A, "z", 2), 0);

    Batch first = b.poll(0);
    Batch second = b.poll(0);

    assertThat(describe(first)).containsExactly("x:0-3", "y:0-1");
    assertThat(describe(second)).containsExactly("y:1-3", "z:0-2");
    assertThat(b.pendingItems()).isZero();
  }

  @Test
  void nanos_until_due_counts_down_from_the_oldest_waiting_item_of_any_model() {
    MicroBatcher b = batcher(8);
    assertThat(b.nanosUntilDue(0)).as("nothing waits").isEqualTo(Long.MAX_VALUE);

    b.add(pending(A, "a", 1), 100);
    b.add(pending(B, "b", 1), 400);

    assertThat(b.nanosUntilDue(300)).isEqualTo(100 + DELAY - 300);
    assertThat(b.nanosUntilDue(100 + DELAY)).isZero();
    assertThat(b.nanosUntilDue(100 + DELAY + 5_000)).as("overdue is never negative").isZero();

    b.poll(100 + DELAY); // takes model a
    assertThat(b.nanosUntilDue(100 + DELAY)).isEqualTo(400 + DELAY - (100 + DELAY));

    b.poll(400 + DELAY); // takes model b
    assertThat(b.nanosUntilDue(400 + DELAY)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void the_remainder_left_after_a_full_batch_restarts_its_clock() {
    MicroBatcher b = batcher(4);
    b.add(pending(A, "c", 6), 0);

    Batch full = b.poll(500);
    assertThat(full.size()).isEqualTo(4);

    assertThat(b.nanosUntilDue(500)).isEqualTo(DELAY);
    assertThat(b.poll(DELAY)).as("the original deadline no longer applies").isNull();
    assertThat(b.poll(500 + DELAY - 1)).isNull();
    Batch rest = b.poll(500 + DELAY);
    assertThat(describe(rest)).containsExactly("c:4-6");
  }

  @Test
  void a_chunk_with_no_runnable_items_is_ignored() {
    MicroBatcher b = batcher(4);
    b.add(new PendingChunk(chunk("none", 3, 0, Priority.NORMAL), A, ChunkFixtures.REF, new int[0]), 0);

    assertThat(b.pendingItems()).isZero();
    assertThat(b.nanosUntilDue(0)).isEqualTo(Long.MAX_VALUE);
    assertThat(b.poll(10 * DELAY)).isNull();
  }

  @Test
  void an_empty_model_queue_starts_a_fresh_clock_when_items_arrive_again() {
    MicroBatcher b = batcher(2);
    b.add(pending(A, "first", 2), 0);
    assertThat(b.poll(0).size()).isEqualTo(2);

    b.add(pending(A, "second", 1), 5_000);

    assertThat(b.poll(5_000 + DELAY - 1)).isNull();
    assertThat(describe(b.poll(5_000 + DELAY))).containsExactly("second:0-1");
  }

  @Test
  void pending_items_counts_runnable_items_across_models_until_they_are_taken() {
    MicroBatcher b = batcher(4);
    int[] twoOfThree = {0, 2};
    b.add(new PendingChunk(chunk("x", 3, 0, Priority.NORMAL), A, ChunkFixtures.REF, twoOfThree), 0);
    b.add(pending(B, "y", 5), 0);
    assertThat(b.pendingItems()).isEqualTo(7);

    b.poll(0); // B's full batch of 4
    assertThat(b.pendingItems()).isEqualTo(3);
  }

  @Test
  void among_ready_models_the_one_waiting_longest_goes_first() {
    MicroBatcher b = batcher(4);
    b.add(pending(A, "partial", 1), 0);
    b.add(pending(B, "full", 4), DELAY);

    assertThat(b.poll(DELAY).modelKey()).isEqualTo(A);
    assertThat(b.poll(DELAY).modelKey()).isEqualTo(B);
  }

  @Test
  void a_model_that_keeps_filling_batches_does_not_starve_a_due_partial_batch() {
    MicroBatcher b = batcher(4);
    b.add(pending(A, "partial", 1), 0);
    b.add(pending(B, "busy", 400), 0);
    long now = 0;
    int bBatchesBeforeA = 0;
    Batch batch;
    while (!(batch = b.poll(now += DELAY / 4)).modelKey().equals(A)) {
      bBatchesBeforeA++;
    }
    assertThat(bBatchesBeforeA).isLessThanOrEqualTo(4);
  }

  @Test
  void bad_bounds_are_rejected() {
    assertThatThrownBy(() -> new MicroBatcher(0, DELAY, k -> 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MicroBatcher(1, -1, k -> 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
