package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class NamedWeightsTest {

  @Test
  void keeps_declaration_order_and_counts_parameters() {
    NamedWeights w = new NamedWeights().add("b", Shape.of(2, 3), new float[6]).add("a", Shape.of(4), new float[4]);

    assertThat(w.entries()).extracting(NamedWeights.Entry::name).containsExactly("b", "a");
    assertThat(w.parameterCount()).isEqualTo(10);
    assertThat(w.get("a").shape()).isEqualTo(Shape.of(4));
  }

  @Test
  void rejects_values_that_do_not_fill_the_shape_duplicates_and_scoped_names() {
    assertThatThrownBy(() -> new NamedWeights().add("k", Shape.of(2, 2), new float[3])).hasMessageContaining("needs 4");
    assertThatThrownBy(() -> new NamedWeights().add("k", Shape.of(1), new float[1]).add("k", Shape.of(1), new float[1]))
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> new NamedWeights().add("a/b", Shape.of(1), new float[1])).hasMessageContaining("flat");
  }

  @Test
  void cnn_initial_weights_have_the_documented_shapes() {
    NamedWeights w = CnnGraph.init(new CnnGraph.Dims(32, 64, 128), new Seeds(42));

    assertThat(w.get(CnnGraph.CONV1_KERNEL).shape()).isEqualTo(Shape.of(3, 3, 1, 32));
    assertThat(w.get(CnnGraph.CONV2_KERNEL).shape()).isEqualTo(Shape.of(3, 3, 32, 64));
    assertThat(w.get(CnnGraph.DENSE_KERNEL).shape()).isEqualTo(Shape.of(7 * 7 * 64, 128));
    assertThat(w.get(CnnGraph.OUTPUT_BIAS).shape()).isEqualTo(Shape.of(10));
    assertThat(w.parameterCount()).isEqualTo(320 + 18_496 + 401_536 + 1_290);
  }
}
