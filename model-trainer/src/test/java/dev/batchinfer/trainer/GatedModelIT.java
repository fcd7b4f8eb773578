package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/** The fault-test model, loaded fresh as serving does: it answers while its gate exists and fails while not. */
class GatedModelIT {

  @Test
  void calls_fail_while_the_gate_is_missing_and_succeed_again_once_it_is_back() throws Exception {
    Path root = Files.createTempDirectory("gated");
    Path gate = Files.writeString(root.resolve("gate"), "open");
    Path dir = GatedModel.export(root, gate);
    assertThat(dir.resolve("config.yaml")).exists();
    try (SavedModelBundle bundle = ServingSignature.load(dir); TUint8 pixels = TUint8.tensorOf(Shape.of(2, 784))) {
      SessionFunction serving = bundle.function(SavedModelExporter.SIGNATURE_KEY);
      assertThat(sum(serving, pixels)).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-4));

      Files.delete(gate);
      assertThatThrownBy(() -> sum(serving, pixels)).isInstanceOf(RuntimeException.class).hasMessageContaining("gate");

      Files.writeString(gate, "open");
      assertThat(sum(serving, pixels)).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-4));
    }
  }

  /** The probabilities of both rows, added up: 2 for two rows of a softmax. */
  private static double sum(SessionFunction serving, TUint8 pixels) {
    try (Result out = serving.call(Map.of(SavedModelExporter.INPUT, pixels))) {
      TFloat32 p = (TFloat32) out.get(SavedModelExporter.OUTPUT).orElseThrow();
      double s = 0;
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 10; c++) {
          s += p.getFloat(r, c);
        }
      }
      return s;
    }
  }
}
