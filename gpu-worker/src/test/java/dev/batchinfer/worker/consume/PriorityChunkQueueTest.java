package dev.batchinfer.worker.consume;

import static dev.batchinfer.topics.message.Priority.HIGH;
import static dev.batchinfer.topics.message.Priority.LOW;
import static dev.batchinfer.topics.message.Priority.NORMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkFixtures;
import dev.batchinfer.worker.batch.PendingChunk;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PriorityChunkQueueTest {

  private static final Map<Priority, Integer> WEIGHTS = Map.of(HIGH, 16, NORMAL, 4, LOW, 1);

  private final PriorityChunkQueue queue = new PriorityChunkQueue(WEIGHTS);
  private final Map<Priority, Integer> added = new EnumMap<>(Priority.class);

  /** Adds a chunk named like "high-3", of that priority, so takes can be counted. */
  private PendingChunk add(Priority p) {
    int n = added.merge(p, 1, Integer::sum);
    PendingChunk c = ChunkFixtures.pending(p.wire() + "-" + n, 1, p);
    queue.add(p, c);
    return c;
  }

  private void fill(Priority p, int chunks) {
    for (int i = 0; i < chunks; i++) {
      add(p);
    }
  }

  private static Priority priorityOf(PendingChunk c) {
    return c.chunk().header().priority();
  }

  /** Takes n chunks, topping up each given priority so it never runs dry. */
  private Map<Priority, Integer> take(int n, Priority... keepFull) {
    Map<Priority, Integer> counts = new EnumMap<>(Priority.class);
    for (Priority p : Priority.values()) {
      counts.put(p, 0);
    }
    for (int i = 0; i < n; i++) {
      PendingChunk c = queue.poll();
      assertThat(c).as("take %d", i).isNotNull();
      counts.merge(priorityOf(c), 1, Integer::sum);
      for (Priority p : keepFull) {
        if (queue.size(p) == 0) {
          add(p);
        }
      }
    }
    return counts;
  }

  @Test
  void with_all_three_waiting_21_takes_serve_high_16_normal_4_and_low_1() {
    fill(HIGH, 100);
    fill(NORMAL, 100);
    fill(LOW, 100);

    assertThat(take(21)).containsExactlyInAnyOrderEntriesOf(Map.of(HIGH, 16, NORMAL, 4, LOW, 1));
  }

  @Test
  void the_shares_hold_over_a_long_run_and_in_every_window_of_21_takes() {
    fill(HIGH, 1);
    fill(NORMAL, 1);
    fill(LOW, 1);
    for (int window = 0; window < 100; window++) {
      assertThat(take(21, HIGH, NORMAL, LOW)).as("window %d", window)
          .containsExactlyInAnyOrderEntriesOf(Map.of(HIGH, 16, NORMAL, 4, LOW, 1));
    }
  }

  @Test
  void the_taken_listener_hears_of_every_chunk_taken_and_of_nothing_else() throws InterruptedException {
    java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
    queue.onTaken(taken::incrementAndGet);
    add(LOW);
    add(HIGH);

    queue.poll();
    queue.poll(1_000_000);
    queue.poll();
    queue.poll(1_000_000);

    assertThat(taken).hasValue(2);
  }

  @Test
  void high_goes_first_when_only_high_and_low_wait() {
    PendingChunk low = add(LOW);
    PendingChunk high = add(HIGH);

    assertThat(queue.poll()).isSameAs(high);
    assertThat(queue.poll()).isSameAs(low);
    assertThat(queue.poll()).isNull();
  }

  @Test
  void chunks_of_one_priority_come_out_in_the_order_they_were_added() {
    PendingChunk first = add(NORMAL);
    PendingChunk second = add(NORMAL);
    PendingChunk third = add(NORMAL);

    assertThat(List.of(queue.poll(), queue.poll(), queue.poll())).containsExactly(first, second, third);
  }

  @Test
  void a_low_chunk_is_served_within_a_bounded_number_of_takes_while_high_keeps_arriving() {
    fill(HIGH, 1);
    take(1_000, HIGH); // high alone for a long time
    PendingChunk low = add(LOW);

    int takes = 0;
    PendingChunk c;
    do {
      c = queue.poll();
      takes++;
      add(HIGH);
    } while (c != low && takes < 1_000);

    assertThat(c).isSameAs(low);
    assertThat(takes).isLessThanOrEqualTo(17); // at most one high round (16) ahead of it
  }

  @Test
  void an_idle_priority_banks_no_credit_and_gets_no_burst_when_it_returns() {
    fill(HIGH, 1);
    take(2_000, HIGH); // normal idle all along
    fill(NORMAL, 50);

    List<Priority> order = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      order.add(priorityOf(queue.poll()));
      add(HIGH);
    }

    assertThat(order.subList(0, 5)).as("first five takes").filteredOn(p -> p == NORMAL).hasSizeLessThanOrEqualTo(2);
    assertThat(order).filteredOn(p -> p == NORMAL).hasSizeBetween(3, 5); // its share: 4 of 20
  }

  @Test
  void remove_if_drops_matching_chunks_of_every_priority_and_keeps_the_rest_in_order() {
    PendingChunk h1 = add(HIGH);
    add(HIGH);
    PendingChunk n1 = add(NORMAL);
    add(LOW);

    int removed = queue.removeIf(c -> c.chunk().header().batchId().endsWith("-2") || c.chunk().header().batchId().startsWith("low"));

    assertThat(removed).isEqualTo(2);
    assertThat(queue.size(HIGH)).isEqualTo(1);
    assertThat(queue.size(NORMAL)).isEqualTo(1);
    assertThat(queue.size(LOW)).isZero();
    assertThat(queue.poll()).isSameAs(h1);
    assertThat(queue.poll()).isSameAs(n1);
    assertThat(queue.poll()).isNull();
  }

  @Test
  void remove_if_that_matches_nothing_removes_nothing() {
    add(NORMAL);

    assertThat(queue.removeIf(c -> false)).isZero();
    assertThat(queue.size(NORMAL)).isEqualTo(1);
  }

  @Test
  void poll_with_a_wait_returns_null_when_nothing_arrives() throws InterruptedException {
    assertThat(queue.poll(TimeUnit.MILLISECONDS.toNanos(1))).isNull();
    assertThat(queue.poll()).isNull();
  }

  @Test
  void poll_with_a_wait_returns_a_waiting_chunk_at_once() throws InterruptedException {
    PendingChunk c = add(LOW);

    assertThat(queue.poll(TimeUnit.MINUTES.toNanos(1))).isSameAs(c);
  }

  @Test
  void a_chunk_added_by_another_thread_wakes_a_waiting_poll() throws Exception {
    CompletableFuture<PendingChunk> polled = CompletableFuture.supplyAsync(() -> {
      try {
        return queue.poll(TimeUnit.MINUTES.toNanos(1));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    PendingChunk c = add(NORMAL);

    assertThat(polled.get(1, TimeUnit.MINUTES)).isSameAs(c);
  }

  @Test
  void a_missing_weight_counts_as_1_and_a_weight_below_1_is_rejected() {
    PendingChunkQueueProbe probe = new PendingChunkQueueProbe(new PriorityChunkQueue(Map.of(HIGH, 2)));
    // high 2, normal 1, low 1: over 4 takes high gets 2.
    assertThat(probe.takes(4).get(HIGH)).isEqualTo(2);

    assertThatThrownBy(() -> new PriorityChunkQueue(Map.of(HIGH, 0))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_weight_too_large_for_the_stride_scale_is_rejected_rather_than_starving_the_others() {
    assertThatThrownBy(() -> new PriorityChunkQueue(Map.of(HIGH, 2_000_000, NORMAL, 4, LOW, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("high");
    // The largest weight that still has a stride of its own is fine.
    PriorityChunkQueue q = new PriorityChunkQueue(Map.of(HIGH, 1_000_000, NORMAL, 1, LOW, 1));
    q.add(LOW, ChunkFixtures.pending("low", 1, LOW));
    q.add(HIGH, ChunkFixtures.pending("high", 1, HIGH));
    assertThat(priorityOf(q.poll())).isEqualTo(HIGH);
    assertThat(priorityOf(q.poll())).isEqualTo(LOW);
  }

  /** Keeps every priority of a queue full and counts what it serves. */
  private static final class PendingChunkQueueProbe {
    private final PriorityChunkQueue q;

    PendingChunkQueueProbe(PriorityChunkQueue q) {
      this.q = q;
    }

    Map<Priority, Integer> takes(int n) {
      Map<Priority, Integer> counts = new EnumMap<>(Priority.class);
      for (Priority p : Priority.values()) {
        counts.put(p, 0);
        for (int i = 0; i < n; i++) {
          q.add(p, ChunkFixtures.pending(p.wire(), 1, p));
        }
      }
      for (int i = 0; i < n; i++) {
        counts.merge(priorityOf(q.poll()), 1, Integer::sum);
      }
      return counts;
    }
  }
}
