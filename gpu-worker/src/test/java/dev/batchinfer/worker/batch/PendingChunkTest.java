package dev.batchinfer.worker.batch;

import static dev.batchinfer.worker.batch.ChunkFixtures.MODEL;
import static dev.batchinfer.worker.batch.ChunkFixtures.REF;
import static dev.batchinfer.worker.batch.ChunkFixtures.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PendingChunkTest {

  private static PendingChunk pendingOf(int items) {
    return new PendingChunk(chunk("b", items, 0, Priority.NORMAL), MODEL, REF, ChunkFixtures.allPositions(items));
  }

  @Test
  void answer_returns_true_only_for_the_last_item_answered_whatever_the_order() {
    PendingChunk c = pendingOf(3);

    assertThat(c.answer(2, "two", true)).isFalse();
    assertThat(c.answer(0, "zero", true)).isFalse();
    assertThat(c.answer(1, "one", true)).isTrue();
  }

  @Test
  void a_single_item_chunk_is_complete_on_its_first_answer() {
    assertThat(pendingOf(1).answer(0, "only", false)).isTrue();
  }

  @Test
  void exactly_one_of_many_concurrent_answers_completes_the_chunk() throws Exception {
    int items = 2_000;
    PendingChunk c = pendingOf(items);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int first = t;
        workers.add(() -> {
          int completions = 0;
          for (int i = first; i < items; i += 4) {
            if (c.answer(i, "line" + i, true)) {
              completions++;
            }
          }
          return completions;
        });
      }
      int total = 0;
      for (Future<Integer> f : pool.invokeAll(workers)) {
        total += f.get();
      }
      assertThat(total).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(c.ndjson().split("\n")).hasSize(items).startsWith("line0", "line1", "line2").endsWith("line1999");
  }

  @Test
  void counts_split_answers_into_succeeded_and_failed() {
    PendingChunk c = pendingOf(4);
    c.answer(0, "ok", true);
    c.answer(1, "bad", false);
    c.answer(2, "bad", false);
    c.answer(3, "ok", true);

    assertThat(c.failedCount()).isEqualTo(2);
    assertThat(c.succeededCount()).isEqualTo(2);
  }

  @Test
  void ndjson_lists_the_lines_in_item_order_not_answer_order() {
    PendingChunk c = pendingOf(3);
    c.answer(2, "{\"index\":2}", true);
    c.answer(0, "{\"index\":0}", true);
    c.answer(1, "{\"index\":1}", false);

    assertThat(c.ndjson()).isEqualTo("{\"index\":0}\n{\"index\":1}\n{\"index\":2}\n");
  }

  @Test
  void a_shadow_copy_says_so_and_has_no_record_behind_it() {
    PendingChunk copy = new PendingChunk(chunk("b", 2, 0, Priority.NORMAL), MODEL, ChunkOrigin.SHADOW, new int[] {0, 1});

    assertThat(copy.isShadow()).isTrue();
    assertThat(copy.origin()).isNotInstanceOf(ChunkRef.class);
  }

  @Test
  void runnable_positions_map_to_item_positions_and_exclude_items_answered_up_front() {
    PendingChunk c = new PendingChunk(chunk("b", 5, 0, Priority.NORMAL), MODEL, REF, new int[] {1, 4});

    assertThat(c.runnableCount()).isEqualTo(2);
    assertThat(c.runnablePosition(0)).isEqualTo(1);
    assertThat(c.runnablePosition(1)).isEqualTo(4);
    assertThat(c.modelKey()).isEqualTo(MODEL);
    assertThat(c.origin()).isEqualTo(REF);
    assertThat(c.isShadow()).isFalse();
    // All five items still need an answer, runnable or not.
    assertThat(c.answer(0, "e", false)).isFalse();
    assertThat(c.answer(2, "e", false)).isFalse();
    assertThat(c.answer(3, "e", false)).isFalse();
    assertThat(c.answer(1, "r", true)).isFalse();
    assertThat(c.answer(4, "r", true)).isTrue();
    assertThat(c.succeededCount()).isEqualTo(2);
  }

  @Test
  void result_lines_carry_custom_ids_and_the_inputs_of_items_without_a_result_are_kept_for_a_retry() {
    var header = new dev.batchinfer.topics.message.ChunkHeader("b", 4, -1, -1, "m", "1.0.0", Priority.LOW, 0L, "t");
    var chunk = new dev.batchinfer.topics.message.InferenceChunk(header, new long[] {10, 11, 12}, new int[] {0, 1, 3, 4},
        new byte[] {7, 8, 8, 9}, new String[] {"a", null, "c"}, new long[] {100, 101, 102});
    PendingChunk c = new PendingChunk(chunk, MODEL, REF, new int[] {0, 1, 2});
    c.answer(0, "{\"index\":10,\"result\":{}}", true);
    c.answer(1, "{\"index\":11,\"error\":{\"code\":\"model_error\",\"message\":\"x\"}}", false);
    c.answerCancelled(2, "{\"index\":12,\"error\":{\"code\":\"cancelled\",\"message\":\"x\"}}");

    assertThat(c.ndjson().split("\n")).containsExactly(
        "{\"index\":10,\"custom_id\":\"a\",\"parent_index\":100,\"result\":{}}",
        "{\"index\":11,\"parent_index\":101,\"error\":{\"code\":\"model_error\",\"message\":\"x\"}}",
        "{\"index\":12,\"custom_id\":\"c\",\"parent_index\":102,\"error\":{\"code\":\"cancelled\",\"message\":\"x\"}}");
    var kept = dev.batchinfer.topics.serde.ChunkCodec.decode(c.failedInputs());
    assertThat(kept.itemCount()).isEqualTo(2);
    assertThat(kept.itemIndex(0)).isEqualTo(11);
    assertThat(kept.customId(1)).isEqualTo("c");
    assertThat(kept.parentIndex(1)).isEqualTo(102);
    byte[] second = new byte[2];
    kept.payload(0).get(second);
    assertThat(second).containsExactly(8, 8);
  }

  @Test
  void a_chunk_whose_items_all_have_results_keeps_no_inputs() {
    PendingChunk c = pendingOf(2);
    c.answer(0, "{\"index\":0,\"result\":{}}", true);
    c.answer(1, "{\"index\":1,\"result\":{}}", true);
    assertThat(c.failedInputs()).isNull();
    assertThat(c.ndjson()).isEqualTo("{\"index\":0,\"result\":{}}\n{\"index\":1,\"result\":{}}\n");
  }

  @Test
  void items_withdrawn_before_the_model_are_answered_cancelled_and_no_longer_runnable() {
    PendingChunk c = pendingOf(4);
    assertThat(c.withdraw(new boolean[] {false, true, false, true}, p -> "cancelled " + p)).isFalse();
    assertThat(c.runnableCount()).isEqualTo(2);
    assertThat(c.runnablePosition(0)).isZero();
    assertThat(c.runnablePosition(1)).isEqualTo(2);
    assertThat(c.line(3)).isEqualTo("cancelled 3");
    assertThat(c.cancelledCount()).isEqualTo(2);
    assertThat(c.answer(0, "zero", true)).isFalse();
    assertThat(c.answer(2, "two", true)).isTrue();
    assertThat(c.succeededCount()).isEqualTo(2);

    PendingChunk all = pendingOf(2);
    assertThat(all.withdraw(new boolean[] {true, true}, p -> "x")).isTrue();
    assertThat(all.runnableCount()).isZero();
  }
}
