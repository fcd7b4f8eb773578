package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
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
    try (SavedModelBundle bundle = ServingSignature.load(dir)) {
      checkContract(ServingSignature.of(bundle));
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
          maxRowSumError = Math.max(maxRowSumError, ServingSignature.copyProbabilities(out, n, classes, probabilities));
        }
        for (int i = 0; i < n; i++) {
          confusion.add(test.label(from + i), ConfusionMatrix.argMax(probabilities, i * classes, classes));
        }
      }
      return new Evaluation(confusion, batchSize, maxRowSumError);
    }
  }

  /** The Fashion-MNIST contract: raw uint8 pixels [-1, 784] in, probabilities [-1, 10] out. */
  static void checkContract(SignatureDef signature) {
    ServingSignature.check(signature, SavedModelExporter.INPUT, DataType.DT_UINT8,
        List.of(-1L, (long) FashionMnist.FEATURES), FashionMnist.CLASSES);
  }
}
