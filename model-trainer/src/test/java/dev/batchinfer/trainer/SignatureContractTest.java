package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/** The serving contract check, on hand-built SignatureDef protos (no TensorFlow runtime needed). */
class SignatureContractTest {

  @Test
  void accepts_the_agreed_signature() {
    assertThatCode(() -> SavedModelEvaluator.checkContract(signature(DataType.DT_UINT8, 784)))
        .doesNotThrowAnyException();
  }

  @Test
  void rejects_a_float_input() {
    assertThatThrownBy(() -> SavedModelEvaluator.checkContract(signature(DataType.DT_FLOAT, 784)))
        .hasMessageContaining("input dtype");
  }

  @Test
  void rejects_a_wrong_input_width() {
    assertThatThrownBy(() -> SavedModelEvaluator.checkContract(signature(DataType.DT_UINT8, 28)))
        .hasMessageContaining("input shape");
  }

  @Test
  void rejects_a_missing_signature() {
    assertThatThrownBy(() -> SavedModelEvaluator.checkContract(null)).hasMessageContaining("serving_default");
  }

  private static SignatureDef signature(DataType inputType, long width) {
    return SignatureDef.newBuilder()
        .setMethodName("tensorflow/serving/predict")
        .putInputs("pixels", info("pixels:0", inputType, -1, width))
        .putOutputs("probabilities", info("probabilities:0", DataType.DT_FLOAT, -1, 10))
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
