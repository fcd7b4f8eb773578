package dev.batchinfer.trainer;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy of language-id predictions overall, on strings of at least 20 characters (the target
 * population) and per length bucket. Pure Java so it is unit-tested without TensorFlow.
 */
public final class LanguageIdMetrics {

  public record Measured(ConfusionMatrix all, ConfusionMatrix min20, Map<LanguageIdSplit.Bucket, ConfusionMatrix> buckets) {}

  private LanguageIdMetrics() {}

  public static Measured measure(List<LanguageIdCorpus.Sample> samples, int[] predicted, List<String> labels) {
    if (samples.size() != predicted.length) {
      throw new IllegalArgumentException(samples.size() + " samples but " + predicted.length + " predictions");
    }
    ConfusionMatrix all = new ConfusionMatrix(labels.size());
    ConfusionMatrix min20 = new ConfusionMatrix(labels.size());
    Map<LanguageIdSplit.Bucket, ConfusionMatrix> buckets = new EnumMap<>(LanguageIdSplit.Bucket.class);
    for (LanguageIdSplit.Bucket b : LanguageIdSplit.Bucket.values()) {
      buckets.put(b, new ConfusionMatrix(labels.size()));
    }
    for (int i = 0; i < predicted.length; i++) {
      LanguageIdCorpus.Sample s = samples.get(i);
      int truth = labels.indexOf(s.label());
      if (truth < 0) {
        throw new IllegalArgumentException("unknown label " + s.label());
      }
      all.add(truth, predicted[i]);
      if (LanguageIdSplit.atLeast20(s.text())) {
        min20.add(truth, predicted[i]);
      }
      buckets.get(LanguageIdSplit.Bucket.of(s.text())).add(truth, predicted[i]);
    }
    return new Measured(all, min20, buckets);
  }
}
