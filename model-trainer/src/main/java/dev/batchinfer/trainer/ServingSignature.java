package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * The serving side of every exported model, shared by {@link SavedModelEvaluator} and
 * {@link TextModelEvaluator}: one input, one float32 {@code probabilities [-1, classes]} output
 * under {@code serving_default}. Only the input differs per model, so it is a parameter.
 */
final class ServingSignature {

  private ServingSignature() {}

  /** A fresh load with the serving tag, as serving does; the caller closes it. */
  static SavedModelBundle load(Path dir) {
    return SavedModelBundle.loader(dir.toString()).withTags(SavedModelExporter.TAG).load();
  }

  static SignatureDef of(SavedModelBundle bundle) {
    return bundle.metaGraphDef().getSignatureDefMap().get(SavedModelExporter.SIGNATURE_KEY);
  }

  /** Fails loudly if the exported signature is not the one other modules were promised. */
  static void check(SignatureDef signature, String input, DataType inputType, List<Long> inputDims, int classes) {
    if (signature == null) {
      throw new IllegalStateException("no '" + SavedModelExporter.SIGNATURE_KEY + "' signature");
    }
    require(SavedModelExporter.METHOD_NAME.equals(signature.getMethodName()),
        "method name " + signature.getMethodName());
    require(signature.getInputsMap().keySet().equals(Set.of(input)), "inputs " + signature.getInputsMap().keySet());
    require(signature.getOutputsMap().keySet().equals(Set.of(SavedModelExporter.OUTPUT)),
        "outputs " + signature.getOutputsMap().keySet());
    TensorInfo in = signature.getInputsMap().get(input);
    require(in.getDtype() == inputType, "input dtype " + in.getDtype());
    require(dims(in).equals(inputDims), "input shape " + dims(in));
    TensorInfo out = signature.getOutputsMap().get(SavedModelExporter.OUTPUT);
    require(out.getDtype() == DataType.DT_FLOAT, "output dtype " + out.getDtype());
    require(dims(out).equals(List.of(-1L, (long) classes)), "output shape " + dims(out));
  }

  /**
   * Copies the {@code n} probability rows of one serving call into {@code into} and returns how far
   * any of those rows strays from summing to 1 (a broken softmax would still argmax fine).
   */
  static double copyProbabilities(Result out, int n, int classes, float[] into) {
    TFloat32 p = (TFloat32) out.get(SavedModelExporter.OUTPUT)
        .orElseThrow(() -> new IllegalStateException("no '" + SavedModelExporter.OUTPUT + "' output"));
    if (!p.shape().equals(Shape.of(n, classes))) {
      throw new IllegalStateException("probabilities have shape " + p.shape());
    }
    p.copyTo(DataBuffers.of(into, false, false).slice(0, (long) n * classes));
    double maxRowSumError = 0;
    for (int i = 0; i < n; i++) {
      float sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += into[i * classes + c];
      }
      maxRowSumError = Math.max(maxRowSumError, Math.abs(sum - 1.0));
    }
    return maxRowSumError;
  }

  private static List<Long> dims(TensorInfo info) {
    return info.getTensorShape().getDimList().stream().map(TensorShapeProto.Dim::getSize).toList();
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("SavedModel breaks the serving contract: " + what);
    }
  }
}
