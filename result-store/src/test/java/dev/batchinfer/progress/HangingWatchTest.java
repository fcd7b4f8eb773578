package dev.batchinfer.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingWatchTest {

  private static final TopicPartition CHANGELOG = new TopicPartition("result-store-progress-batch-progress-changelog", 3);
  private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 4);
  private static final String STREAMS_ID = "result-store-progress-9bf9dfde-1";
  private static final long MINUTE = 60_000;

  private final HangingWatch watch = new HangingWatch("result-store-progress-", Duration.ofMinutes(1));

  // What a broker restarted after kill -9 left: epoch 2's data on the partition without a marker, while its
  // coordinator recorded the commit complete (at the bumped epoch 3) and a new producer has since started (epoch 4).
  private static final OpenTransaction LEFT_OPEN = new OpenTransaction(CHANGELOG, 2, 2, 2, 0);

  @Test
  void a_topology_transaction_its_coordinator_finished_is_aborted_once_seen_hanging_for_the_grace() {
    Map<String, TransactionDescription> coordinator = Map.of(STREAMS_ID, description(TransactionState.EMPTY, 4));

    assertThat(watch.judge(List.of(LEFT_OPEN), Map.of(2L, STREAMS_ID), coordinator, 0).abort()).isEmpty();
    assertThat(watch.judge(List.of(LEFT_OPEN), Map.of(2L, STREAMS_ID), coordinator, MINUTE - 1).abort()).isEmpty();
    assertThat(watch.judge(List.of(LEFT_OPEN), Map.of(2L, STREAMS_ID), coordinator, MINUTE).abort()).containsExactly(LEFT_OPEN);
  }

  @Test
  void a_transaction_its_coordinator_runs_is_left_alone_however_long_it_lasts() {
    // An upload's transaction stays open for minutes; committing, its markers carry the bumped epoch.
    for (var state : List.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT)) {
      for (int epoch : new int[] {2, 3}) {
        Map<String, TransactionDescription> coordinator = Map.of(STREAMS_ID, description(state, epoch));
        HangingWatch fresh = new HangingWatch("result-store-progress-", Duration.ofMinutes(1));
        fresh.judge(List.of(LEFT_OPEN), Map.of(2L, STREAMS_ID), coordinator, 0);
        HangingWatch.Verdict later = fresh.judge(List.of(LEFT_OPEN), Map.of(2L, STREAMS_ID), coordinator, 10 * MINUTE);
        assertThat(later.abort()).as(state + " at epoch " + epoch).isEmpty();
        assertThat(later.report()).as(state + " at epoch " + epoch).isEmpty();
      }
    }
  }

  @Test
  void a_transaction_that_ends_between_sweeps_starts_the_grace_again() {
    Map<String, TransactionDescription> finished = Map.of(STREAMS_ID, description(TransactionState.COMPLETE_COMMIT, 3));
    watch.judge(List.of(LEFT_OPEN), Map.of(2L, STREAMS_ID), finished, 0);
    watch.judge(List.of(), Map.of(), Map.of(), MINUTE / 2); // its marker landed
    OpenTransaction next = new OpenTransaction(CHANGELOG, 2, 4, 9, 0);
    assertThat(watch.judge(List.of(next), Map.of(2L, STREAMS_ID), finished, MINUTE).abort()).isEmpty();
    assertThat(watch.judge(List.of(next), Map.of(2L, STREAMS_ID), finished, 2 * MINUTE).abort()).containsExactly(next);
  }

  @Test
  void only_the_topologys_transactions_are_aborted_anyone_elses_are_reported() {
    // An API submit's transaction may have committed (its 202 sent): aborting it would drop accepted chunks.
    OpenTransaction topology = new OpenTransaction(OFFSETS, 2, 2, 6, 0);
    OpenTransaction submit = new OpenTransaction(new TopicPartition("inference.requests.normal", 0), 7, 0, 8, 0);
    OpenTransaction unknown = new OpenTransaction(new TopicPartition("inference.progress", 1), 8, 0, 9, 0);
    Map<Long, String> ids = Map.of(2L, STREAMS_ID, 7L, "producer-api-vm-1-0");
    Map<String, TransactionDescription> coordinator = Map.of(STREAMS_ID, description(TransactionState.EMPTY, 4),
        "producer-api-vm-1-0", new TransactionDescription(1, TransactionState.COMPLETE_COMMIT, 7, 1, 60_000,
            OptionalLong.empty(), Set.of()));
    List<OpenTransaction> all = List.of(topology, submit, unknown);
    assertThat(watch.judge(all, ids, coordinator, 0).report()).isEmpty();
    HangingWatch.Verdict verdict = watch.judge(all, ids, coordinator, MINUTE);
    assertThat(verdict.abort()).containsExactly(topology);
    assertThat(verdict.report()).containsExactlyInAnyOrder(submit, unknown);
    assertThat(watch.judge(List.of(submit, unknown), ids, coordinator, 2 * MINUTE).report()).as("still reported")
        .hasSize(2);
  }

  private static TransactionDescription description(TransactionState state, int epoch) {
    Set<TopicPartition> partitions = state == TransactionState.EMPTY || state == TransactionState.COMPLETE_COMMIT
        ? Set.of() : Set.of(CHANGELOG, OFFSETS);
    return new TransactionDescription(1, state, 2, epoch, 10_000, OptionalLong.of(0), partitions);
  }
}
