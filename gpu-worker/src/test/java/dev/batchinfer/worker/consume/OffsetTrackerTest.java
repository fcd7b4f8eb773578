package dev.batchinfer.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  private static final TopicPartition P0 = new TopicPartition("requests-high", 0);
  private static final TopicPartition P1 = new TopicPartition("requests-high", 1);

  private final OffsetTracker tracker = new OffsetTracker();

  private void start(TopicPartition tp, long... offsets) {
    for (long o : offsets) {
      tracker.started(tp, o);
    }
  }

  @Test
  void out_of_order_completion_commits_only_the_contiguous_done_prefix() {
    start(P0, 10, 11, 12);

    tracker.done(P0, 12);
    assertThat(tracker.drainCommittable()).as("10 and 11 still running").isEmpty();

    tracker.done(P0, 10);
    assertThat(tracker.drainCommittable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(11)));

    tracker.done(P0, 11);
    assertThat(tracker.drainCommittable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(13)));
    assertThat(tracker.inFlightCount()).isZero();
  }

  @Test
  void gaps_in_the_offsets_of_a_partition_do_not_block_the_commit() {
    start(P0, 3, 7, 20); // e.g. transaction markers between records

    tracker.done(P0, 3);
    tracker.done(P0, 7);

    assertThat(tracker.drainCommittable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(8)));
    assertThat(tracker.inFlightCount()).isEqualTo(1);
  }

  @Test
  void partitions_are_tracked_independently() {
    start(P0, 0, 1);
    start(P1, 0, 1);

    tracker.done(P0, 1);
    tracker.done(P1, 0);

    assertThat(tracker.drainCommittable()).containsExactly(Map.entry(P1, new OffsetAndMetadata(1)));
  }

  @Test
  void drain_clears_what_it_returned() {
    start(P0, 5);
    tracker.done(P0, 5);

    assertThat(tracker.drainCommittable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(6)));
    assertThat(tracker.drainCommittable()).isEmpty();
  }

  @Test
  void forget_drops_a_partitions_offsets_in_flight_and_its_pending_commit() {
    start(P0, 1, 2);
    start(P1, 1);
    tracker.done(P0, 1);

    tracker.forget(P0);
    tracker.done(P0, 2); // finished after the partition was revoked

    assertThat(tracker.drainCommittable()).isEmpty();
    assertThat(tracker.inFlightCount()).isEqualTo(1);
  }

  @Test
  void done_for_an_offset_never_started_is_ignored() {
    start(P0, 4);

    tracker.done(P0, 3);
    tracker.done(P0, 99);
    tracker.done(P1, 0);

    assertThat(tracker.drainCommittable()).isEmpty();
    assertThat(tracker.inFlightCount()).isEqualTo(1);
  }

  @Test
  void a_second_done_for_an_offset_already_committed_changes_nothing() {
    start(P0, 0, 1);
    tracker.done(P0, 0);
    tracker.drainCommittable();

    tracker.done(P0, 0);

    assertThat(tracker.drainCommittable()).isEmpty();
    assertThat(tracker.inFlightCount()).isEqualTo(1);
  }

  @Test
  void offsets_whose_commit_failed_are_offered_again_unless_a_later_one_is_ready() {
    OffsetTracker t = new OffsetTracker();
    t.started(P0, 1);
    t.started(P0, 2);
    t.started(P0, 3);
    t.done(P0, 1);
    var failed = t.drainCommittable();
    t.restore(failed);
    assertThat(t.drainCommittable()).containsEntry(P0, new OffsetAndMetadata(2));

    t.done(P0, 2);
    var later = t.drainCommittable();
    t.restore(failed); // an older failure must not move the commit back
    t.restore(later);
    assertThat(t.drainCommittable()).containsEntry(P0, new OffsetAndMetadata(3));
  }

  @Test
  void forgetting_from_an_offset_drops_it_and_later_ones_only() {
    OffsetTracker t = new OffsetTracker();
    t.started(P0, 1);
    t.started(P0, 2);
    t.started(P0, 3);
    t.forgetFrom(P0, 2);
    assertThat(t.inFlightCount()).isEqualTo(1);
    t.done(P0, 3); // a late completion of a forgotten offset changes nothing
    assertThat(t.drainCommittable()).isEmpty();
    t.done(P0, 1);
    assertThat(t.drainCommittable()).containsEntry(P0, new OffsetAndMetadata(2));
  }
}
