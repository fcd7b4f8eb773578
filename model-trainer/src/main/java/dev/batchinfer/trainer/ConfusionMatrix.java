package dev.batchinfer.trainer;

/**
 * Counts of (true label, predicted label) and the metrics derived from them. Pure Java so the
 * numbers in evaluation_report.json are unit-tested independently of TensorFlow.
 */
public final class ConfusionMatrix {

  private final long[][] counts;

  public ConfusionMatrix(int classes) {
    if (classes <= 0) {
      throw new IllegalArgumentException("classes must be positive");
    }
    this.counts = new long[classes][classes];
  }

  public int classes() {
    return counts.length;
  }

  public void add(int trueLabel, int predicted) {
    counts[trueLabel][predicted]++;
  }

  /** Row = true label, column = predicted label. A copy; callers cannot change the counts. */
  public long[][] counts() {
    long[][] copy = new long[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      copy[i] = counts[i].clone();
    }
    return copy;
  }

  public long total() {
    long total = 0;
    for (long[] row : counts) {
      for (long c : row) {
        total += c;
      }
    }
    return total;
  }

  public long correct() {
    long correct = 0;
    for (int c = 0; c < counts.length; c++) {
      correct += counts[c][c];
    }
    return correct;
  }

  public double accuracy() {
    long total = total();
    return total == 0 ? 0 : (double) correct() / total;
  }

  /** Items whose true label is {@code c}. */
  public long support(int c) {
    long sum = 0;
    for (long v : counts[c]) {
      sum += v;
    }
    return sum;
  }

  /** Items predicted as {@code c}. */
  public long predicted(int c) {
    long sum = 0;
    for (long[] row : counts) {
      sum += row[c];
    }
    return sum;
  }

  /** Of the items predicted as {@code c}, the share that really are {@code c}; 0 if none predicted. */
  public double precision(int c) {
    long predicted = predicted(c);
    return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
  }

  /** Of the items that really are {@code c}, the share predicted as {@code c}; 0 if none exist. */
  public double recall(int c) {
    long support = support(c);
    return support == 0 ? 0 : (double) counts[c][c] / support;
  }

  /** Index of the largest of {@code length} values from {@code offset}; ties go to the lowest index. */
  public static int argMax(float[] values, int offset, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (values[offset + i] > values[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
