package dev.batchinfer.topics.message;

import static dev.batchinfer.topics.message.BatchStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BatchStatusTest {

  @Test
  void a_batch_moves_from_queued_through_processing_to_an_outcome() {
    assertThat(QUEUED.moveTo(PROCESSING).moveTo(COMPLETED)).isEqualTo(COMPLETED);
    assertThat(PROCESSING.moveTo(COMPLETED_WITH_ERRORS)).isEqualTo(COMPLETED_WITH_ERRORS);
    assertThat(PROCESSING.moveTo(FAILED)).isEqualTo(FAILED);
  }

  @Test
  void final_states_allow_no_move_and_the_exception_names_both_states() {
    for (BatchStatus done : new BatchStatus[] {COMPLETED, COMPLETED_WITH_ERRORS, FAILED, CANCELLED, EXPIRED}) {
      assertThat(done.isFinal()).isTrue();
      assertThatThrownBy(() -> done.moveTo(PROCESSING))
          .isInstanceOf(BatchStatus.IllegalTransitionException.class)
          .hasMessageContaining(done.wire())
          .hasMessageContaining("processing");
    }
  }

  @Test
  void processing_cannot_go_back_to_queued() {
    assertThat(BatchStatus.allowed(PROCESSING, QUEUED)).isFalse();
  }

  @Test
  void cancelling_ends_cancelled() {
    assertThat(PROCESSING.moveTo(CANCELLING).moveTo(CANCELLED)).isEqualTo(CANCELLED);
    assertThat(BatchStatus.allowed(CANCELLING, COMPLETED)).isFalse();
  }

  @Test
  void outcome_depends_on_failed_items() {
    assertThat(BatchStatus.outcome(10, 0)).isEqualTo(COMPLETED);
    assertThat(BatchStatus.outcome(9, 1)).isEqualTo(COMPLETED_WITH_ERRORS);
    assertThat(BatchStatus.outcome(0, 10)).isEqualTo(FAILED);
  }

  @Test
  void wire_names_round_trip() {
    for (BatchStatus s : values()) {
      assertThat(BatchStatus.fromWire(s.wire())).isEqualTo(s);
    }
    assertThat(COMPLETED_WITH_ERRORS.wire()).isEqualTo("completed_with_errors");
  }
}
