package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Runs a language-id SavedModel the way serving will: load the directory fresh, check the
 * signature contract (input {@code text} string [-1], output {@code probabilities} float32
 * [-1, classes]), feed raw strings through {@code serving_default} in batches, argmax.
 */
public final class TextModelEvaluator {

  public static final String INPUT = "text";

  /** Argmax per text, plus how far any probability row strayed from summing to 1. */
  public record Predictions(int[] predicted, int batchSize, double maxRowSumError) {}

  private TextModelEvaluator() {}

  public static Predictions predict(Path dir, List<String> texts, int classes, int batchSize) {
    try (SavedModelBundle bundle = SavedModelBundle.loader(dir.toString()).withTags(SavedModelExporter.TAG).load()) {
      checkContract(bundle.metaGraphDef().getSignatureDefMap().get(SavedModelExporter.SIGNATURE_KEY), classes);
      SessionFunction serving = bundle.function(SavedModelExporter.SIGNATURE_KEY);
      int[] predicted = new int[texts.size()];
      float[] probabilities = new float[batchSize * classes];
      double maxRowSumError = 0;
      for (int from = 0; from < texts.size(); from += batchSize) {
        int n = Math.min(batchSize, texts.size() - from);
        try (TString in = TString.vectorOf(texts.subList(from, from + n).toArray(String[]::new));
             Result out = serving.call(Map.of(INPUT, in))) {
          TFloat32 p = (TFloat32) out.get(SavedModelExporter.OUTPUT)
              .orElseThrow(() -> new IllegalStateException("no '" + SavedModelExporter.OUTPUT + "' output"));
          if (!p.shape().equals(Shape.of(n, classes))) {
            throw new IllegalStateException("probabilities have shape " + p.shape());
          }
          p.copyTo(DataBuffers.of(probabilities, false, false).slice(0, (long) n * classes));
        }
        for (int i = 0; i < n; i++) {
          float sum = 0;
          for (int c = 0; c < classes; c++) {
            sum += probabilities[i * classes + c];
          }
          maxRowSumError = Math.max(maxRowSumError, Math.abs(sum - 1.0));
          predicted[from + i] = ConfusionMatrix.argMax(probabilities, i * classes, classes);
        }
      }
      return new Predictions(predicted, batchSize, maxRowSumError);
    }
  }

  /** Fails loudly if the exported signature is not the one other modules were promised. */
  static void checkContract(SignatureDef signature, int classes) {
    if (signature == null) {
      throw new IllegalStateException("no '" + SavedModelExporter.SIGNATURE_KEY + "' signature");
    }
    require(SavedModelExporter.METHOD_NAME.equals(signature.getMethodName()), "method name " + signature.getMethodName());
    require(signature.getInputsMap().keySet().equals(Set.of(INPUT)), "inputs " + signature.getInputsMap().keySet());
    require(signature.getOutputsMap().keySet().equals(Set.of(SavedModelExporter.OUTPUT)),
        "outputs " + signature.getOutputsMap().keySet());
    TensorInfo in = signature.getInputsMap().get(INPUT);
    require(in.getDtype() == DataType.DT_STRING, "input dtype " + in.getDtype());
    require(dims(in).equals(List.of(-1L)), "input shape " + dims(in));
    TensorInfo out = signature.getOutputsMap().get(SavedModelExporter.OUTPUT);
    require(out.getDtype() == DataType.DT_FLOAT, "output dtype " + out.getDtype());
    require(dims(out).equals(List.of(-1L, (long) classes)), "output shape " + dims(out));
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
