package dev.batchinfer.worker.batch;

import static dev.batchinfer.worker.batch.ChunkFixtures.pending;
import static dev.batchinfer.worker.batch.ChunkFixtures.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.models.BatchCost;
import dev.batchinfer.models.Batching;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.OutputSpec;
import dev.batchinfer.worker.batch.MicroBatcher.Batch;
import dev.batchinfer.worker.batch.MicroBatcher.Slice;
import dev.batchinfer.worker.infer.ModelKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Allowed batch sizes and batch costs: what each model version's {@link BatchShape} does to its micro-batches. */
class MicroBatcherShapesTest {

  private static final long DELAY = 1_000;
  private static final ModelKey A = new ModelKey("a", "1.0.0");
  private static final ModelKey B = new ModelKey("b", "1.0.0");
  private static final int[] ALLOWED = {8, 16, 32, 64};

  private static MicroBatcher batcher(int workerMax, BatchShape shape) {
    return MicroBatcher.shaped(workerMax, DELAY, key -> shape);
  }

  private static List<String> describe(Batch batch) {
    List<String> out = new ArrayList<>();
    for (Slice s : batch.slices()) {
      out.add(s.chunk().chunk().header().batchId() + ":" + s.from() + "-" + s.to());
    }
    return out;
  }

  private static BatchShape costed(BatchCost.By by, long max) {
    return BatchShape.of(512, new int[0], by, max);
  }

  @Test
  void a_batch_holds_at_most_the_largest_allowed_size_within_the_limit_and_a_partial_one_is_padded_up() {
    MicroBatcher b = batcher(100, BatchShape.of(512, ALLOWED, null, Long.MAX_VALUE));
    b.add(pending(A, "c", 150), 0);

    Batch first = b.poll(0);
    Batch second = b.poll(0);
    assertThat(b.poll(0)).as("22 items are not a full batch of 64").isNull();
    Batch rest = b.poll(DELAY);

    assertThat(first.size()).isEqualTo(64);
    assertThat(first.rows()).isEqualTo(64);
    assertThat(first.paddingRows()).isZero();
    assertThat(describe(second)).containsExactly("c:64-128");
    assertThat(describe(rest)).containsExactly("c:128-150");
    assertThat(rest.size()).isEqualTo(22);
    assertThat(rest.rows()).as("the smallest allowed size >= 22").isEqualTo(32);
    assertThat(rest.paddingRows()).isEqualTo(10);
  }

  @Test
  void thirty_seven_items_run_as_one_call_of_sixty_four_rows() {
    MicroBatcher b = batcher(512, BatchShape.of(512, ALLOWED, null, Long.MAX_VALUE));
    b.add(pending(A, "x", 20), 0);
    b.add(pending(A, "y", 17), 0);

    Batch batch = b.poll(DELAY);

    assertThat(describe(batch)).containsExactly("x:0-20", "y:0-17");
    assertThat(batch.size()).isEqualTo(37);
    assertThat(batch.rows()).isEqualTo(64);
    assertThat(b.pendingItems()).isZero();
  }

  @Test
  void a_worker_limit_below_the_smallest_allowed_size_bounds_the_items_and_the_call_is_still_padded() {
    MicroBatcher b = batcher(4, BatchShape.of(512, new int[] {8, 16}, null, Long.MAX_VALUE));
    b.add(pending(A, "c", 6), 0);

    Batch batch = b.poll(0);

    assertThat(batch.size()).isEqualTo(4);
    assertThat(batch.rows()).isEqualTo(8);
  }

  @Test
  void a_model_without_allowed_sizes_runs_exactly_its_items() {
    MicroBatcher b = MicroBatcher.shaped(8, DELAY, Map.of(A, BatchShape.upTo(100), B,
        BatchShape.of(100, new int[] {16}, null, Long.MAX_VALUE))::get);
    b.add(pending(A, "a", 5), 0);
    b.add(pending(B, "b", 5), 0);

    Batch a = b.poll(DELAY);
    Batch bb = b.poll(DELAY);

    assertThat(a.rows()).isEqualTo(5);
    assertThat(bb.rows()).as("worker max 8 is below B's only allowed size").isEqualTo(16);
  }

  @Test
  void by_input_bytes_a_batch_takes_items_until_the_next_would_pass_the_max() {
    MicroBatcher b = batcher(512, costed(BatchCost.By.INPUT_BYTES, 12));
    b.add(texts(A, "x", "aaaaa", "bbbbb", "ccccc"), 0);
    b.add(texts(A, "y", "dd", "eeeeeeeeee"), 0);

    Batch first = b.poll(0);
    Batch second = b.poll(0);

    assertThat(describe(first)).as("5 + 5 bytes; 5 more would be 15").containsExactly("x:0-2");
    assertThat(describe(second)).as("5 + 2 bytes, across chunks; 10 more would be 17").containsExactly("x:2-3", "y:0-1");
    assertThat(b.poll(0)).as("10 bytes left, under the max: wait for more").isNull();
    Batch last = b.poll(DELAY);
    assertThat(describe(last)).containsExactly("y:1-2");
    assertThat(b.pendingItems()).isZero();
  }

  @Test
  void by_tokens_a_batch_is_bounded_by_the_whitespace_separated_words_of_its_texts() {
    MicroBatcher b = batcher(512, costed(BatchCost.By.TOKENS, 6));
    b.add(texts(A, "x", "a b c", " d  e ", "f g h i", "j"), 0);

    Batch first = b.poll(0);
    assertThat(describe(first)).as("3 + 2 tokens; 4 more would be 9").containsExactly("x:0-2");
    assertThat(first.rows()).isEqualTo(2);
    assertThat(b.poll(0)).as("5 tokens left, under the max: wait for more").isNull();
    assertThat(describe(b.poll(DELAY))).containsExactly("x:2-4");
  }

  @Test
  void an_item_that_alone_costs_more_than_the_max_runs_by_itself() {
    MicroBatcher b = batcher(512, costed(BatchCost.By.TOKENS, 3));
    b.add(texts(A, "x", "one two three four five", "six", "seven eight"), 0);

    Batch big = b.poll(0);
    Batch next = b.poll(0);

    assertThat(describe(big)).containsExactly("x:0-1");
    assertThat(describe(next)).as("1 + 2 tokens").containsExactly("x:1-3");
    assertThat(b.pendingItems()).isZero();
  }

  @Test
  void the_count_limit_still_applies_to_a_cost_bounded_model() {
    MicroBatcher b = batcher(2, costed(BatchCost.By.TOKENS, 1_000));
    b.add(texts(A, "x", "a", "b", "c"), 0);

    assertThat(describe(b.poll(0))).containsExactly("x:0-2");
  }

  @Test
  void a_cost_and_allowed_sizes_together_pad_the_cost_bounded_batch() {
    MicroBatcher b = batcher(512, BatchShape.of(512, new int[] {4, 8}, BatchCost.By.TOKENS, 5));
    b.add(texts(A, "x", "a b", "c d", "e f", "g"), 0);

    Batch batch = b.poll(0);

    assertThat(describe(batch)).containsExactly("x:0-2");
    assertThat(batch.rows()).isEqualTo(4);
  }

  @Test
  void shapes_come_from_the_config_and_a_fixed_size_input_by_bytes_is_a_count() {
    InputSpec pixels = new InputSpec("pixels", "uint8", List.of(784), 0.0, 255.0);
    InputSpec text = new InputSpec("text", "string", List.of(), null, null, 4096);

    BatchShape allowed = shape(pixels, new Batching(512, null, List.of(32, 64, 128, 256), null));
    assertThat(allowed.limit(200)).isEqualTo(128);
    assertThat(allowed.limit(1_000)).isEqualTo(256);
    assertThat(allowed.rows(37)).isEqualTo(64);
    assertThat(allowed.costsPerItem()).isFalse();

    BatchShape bytes = shape(pixels, new Batching(512, null, null, new BatchCost(BatchCost.By.INPUT_BYTES, 7_840)));
    assertThat(bytes.costsPerItem()).isFalse();
    assertThat(bytes.limit(512)).as("7,840 bytes of 784-byte items").isEqualTo(10);

    BatchShape items = shape(pixels, new Batching(512, null, null, new BatchCost(BatchCost.By.ITEMS, 100)));
    assertThat(items.limit(512)).isEqualTo(100);

    BatchShape tokens = shape(text, new Batching(512, null, null, new BatchCost(BatchCost.By.TOKENS, 2_000)));
    assertThat(tokens.costsPerItem()).isTrue();
    assertThat(tokens.maxCost()).isEqualTo(2_000);
    assertThat(tokens.limit(512)).isEqualTo(512);
    assertThat(tokens.rows(37)).isEqualTo(37);
  }

  private static BatchShape shape(InputSpec input, Batching batching) {
    return BatchShape.of(new ModelConfig("m", "1.0.0", null, "serving_default", input,
        new OutputSpec("probabilities", 1, List.of("a", "b")), batching, null, null));
  }
}
