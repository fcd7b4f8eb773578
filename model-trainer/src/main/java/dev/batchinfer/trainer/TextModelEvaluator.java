package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
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
    try (SavedModelBundle bundle = ServingSignature.load(dir)) {
      checkContract(ServingSignature.of(bundle), classes);
      SessionFunction serving = bundle.function(SavedModelExporter.SIGNATURE_KEY);
      int[] predicted = new int[texts.size()];
      float[] probabilities = new float[batchSize * classes];
      double maxRowSumError = 0;
      for (int from = 0; from < texts.size(); from += batchSize) {
        int n = Math.min(batchSize, texts.size() - from);
        try (TString in = TString.vectorOf(texts.subList(from, from + n).toArray(String[]::new));
             Result out = serving.call(Map.of(INPUT, in))) {
          maxRowSumError = Math.max(maxRowSumError, ServingSignature.copyProbabilities(out, n, classes, probabilities));
        }
        for (int i = 0; i < n; i++) {
          predicted[from + i] = ConfusionMatrix.argMax(probabilities, i * classes, classes);
        }
      }
      return new Predictions(predicted, batchSize, maxRowSumError);
    }
  }

  /** The language-id contract: strings [-1] in, probabilities [-1, classes] out. */
  static void checkContract(SignatureDef signature, int classes) {
    ServingSignature.check(signature, INPUT, DataType.DT_STRING, List.of(-1L), classes);
  }
}
