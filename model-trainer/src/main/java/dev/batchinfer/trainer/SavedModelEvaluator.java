package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Measures a SavedModel the way serving will use it: load the directory fresh, check the signature
 * contract, feed raw uint8 pixels through {@code serving_default} in batches, argmax the
 * probabilities. Numbers from the training graph would not prove the export is right.
 */
public final class SavedModelEvaluator {

  /** The outcome: the confusion matrix plus how far any probability row strayed from summing to 1. */
  public record Evaluation(ConfusionMatrix confusion, int batchSize, double maxRowSumError) {}

  private SavedModelEvaluator() {}

  public static Evaluation evaluate(Path dir, FashionMnist.Split test, int batchSize) {
    int features = FashionMnist.FEATURES;
    int classes = FashionMnist.CLASSES;
    try (SavedModelBundle bundle = SavedModelBundle.loader(dir.toString())
        .withTags(SavedModelExporter.TAG).load()) {
      checkContract(bundle.metaGraphDef().getSignatureDefMap().get(SavedModelExporter.SIGNATURE_KEY));
      SessionFunction serving = bundle.function(SavedModelExporter.SIGNATURE_KEY);
      ConfusionMatrix confusion = new ConfusionMatrix(classes);
      ByteDataBuffer allPixels = DataBuffers.of(test.pixels(), true, false);
      float[] probabilities = new float[batchSize * classes];
      double maxRowSumError = 0;
      for (int from = 0; from < test.count(); from += batchSize) {
        int n = Math.min(batchSize, test.count() - from);
        try (TUint8 pixels = TUint8.tensorOf(Shape.of(n, features),
                 allPixels.slice((long) from * features, (long) n * features));
             Result out = serving.call(Map.of(SavedModelExporter.INPUT, pixels))) {
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
          confusion.add(test.label(from + i), ConfusionMatrix.argMax(probabilities, i * classes, classes));
        }
      }
      return new Evaluation(confusion, batchSize, maxRowSumError);
    }
  }

  /** Fails loudly if the exported signature is not the one other modules were promised. */
  static void checkContract(SignatureDef signature) {
    if (signature == null) {
      throw new IllegalStateException("no '" + SavedModelExporter.SIGNATURE_KEY + "' signature");
    }
    require(SavedModelExporter.METHOD_NAME.equals(signature.getMethodName()),
        "method name " + signature.getMethodName());
    require(signature.getInputsMap().keySet().equals(Set.of(SavedModelExporter.INPUT)),
        "inputs " + signature.getInputsMap().keySet());
    require(signature.getOutputsMap().keySet().equals(Set.of(SavedModelExporter.OUTPUT)),
        "outputs " + signature.getOutputsMap().keySet());
    TensorInfo in = signature.getInputsMap().get(SavedModelExporter.INPUT);
    require(in.getDtype() == DataType.DT_UINT8, "input dtype " + in.getDtype());
    require(dims(in).equals(List.of(-1L, (long) FashionMnist.FEATURES)), "input shape " + dims(in));
    TensorInfo out = signature.getOutputsMap().get(SavedModelExporter.OUTPUT);
    require(out.getDtype() == DataType.DT_FLOAT, "output dtype " + out.getDtype());
    require(dims(out).equals(List.of(-1L, (long) FashionMnist.CLASSES)), "output shape " + dims(out));
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
