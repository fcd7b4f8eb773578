package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

  @Test
  void computes_accuracy_precision_and_recall_from_counts() {
    ConfusionMatrix cm = new ConfusionMatrix(3);
    // true 0: 3 right, 1 predicted as 1; true 1: 2 right; true 2: 1 right, 1 predicted as 0.
    add(cm, 0, 0, 3);
    add(cm, 0, 1, 1);
    add(cm, 1, 1, 2);
    add(cm, 2, 2, 1);
    add(cm, 2, 0, 1);

    assertThat(cm.total()).isEqualTo(8);
    assertThat(cm.correct()).isEqualTo(6);
    assertThat(cm.accuracy()).isEqualTo(0.75);
    assertThat(cm.precision(0)).isCloseTo(3.0 / 4, within(1e-12));
    assertThat(cm.recall(0)).isCloseTo(3.0 / 4, within(1e-12));
    assertThat(cm.precision(1)).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(cm.recall(1)).isEqualTo(1.0);
    assertThat(cm.precision(2)).isEqualTo(1.0);
    assertThat(cm.recall(2)).isEqualTo(0.5);
    assertThat(cm.support(2)).isEqualTo(2);
    assertThat(cm.counts()[2]).containsExactly(1, 0, 1);
  }

  @Test
  void precision_and_recall_are_zero_for_a_class_never_seen() {
    ConfusionMatrix cm = new ConfusionMatrix(2);
    add(cm, 0, 0, 5);

    assertThat(cm.precision(1)).isZero();
    assertThat(cm.recall(1)).isZero();
    assertThat(new ConfusionMatrix(2).accuracy()).isZero();
  }

  @Test
  void counts_are_a_copy() {
    ConfusionMatrix cm = new ConfusionMatrix(2);
    cm.counts()[0][0] = 99;

    assertThat(cm.total()).isZero();
  }

  @Test
  void argmax_reads_one_row_of_a_flat_batch_and_breaks_ties_low() {
    float[] batch = {0.1f, 0.7f, 0.2f, /* row 2 */ 0.4f, 0.2f, 0.4f};

    assertThat(ConfusionMatrix.argMax(batch, 0, 3)).isEqualTo(1);
    assertThat(ConfusionMatrix.argMax(batch, 3, 3)).isEqualTo(0);
  }

  private static void add(ConfusionMatrix cm, int truth, int predicted, int times) {
    for (int i = 0; i < times; i++) {
      cm.add(truth, predicted);
    }
  }
}
