package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/** The language-id serving contract check, on hand-built SignatureDef protos. */
class TextSignatureContractTest {

  @Test
  void accepts_a_string_vector_in_and_one_probability_per_language_out() {
    assertThatCode(() -> TextModelEvaluator.checkContract(signature("text", DataType.DT_STRING, 16), 16))
        .doesNotThrowAnyException();
  }

  @Test
  void rejects_another_input_name_or_type() {
    assertThatThrownBy(() -> TextModelEvaluator.checkContract(signature("pixels", DataType.DT_STRING, 16), 16))
        .hasMessageContaining("inputs");
    assertThatThrownBy(() -> TextModelEvaluator.checkContract(signature("text", DataType.DT_UINT8, 16), 16))
        .hasMessageContaining("input dtype");
  }

  @Test
  void rejects_a_label_count_that_differs_from_the_config() {
    assertThatThrownBy(() -> TextModelEvaluator.checkContract(signature("text", DataType.DT_STRING, 15), 16))
        .hasMessageContaining("output shape");
  }

  private static SignatureDef signature(String input, DataType type, long classes) {
    return SignatureDef.newBuilder()
        .setMethodName("tensorflow/serving/predict")
        .putInputs(input, info(input + ":0", type, -1))
        .putOutputs("probabilities", info("probabilities:0", DataType.DT_FLOAT, -1, classes))
        .build();
  }

  private static TensorInfo info(String name, DataType type, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorInfo.newBuilder().setName(name).setDtype(type).setTensorShape(shape).build();
  }
}
