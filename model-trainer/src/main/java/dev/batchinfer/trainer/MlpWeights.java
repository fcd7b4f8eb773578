package dev.batchinfer.trainer;

/**
 * Trained parameters of the 784-H-10 MLP as plain Java arrays (kernels row-major
 * {@code [in, out]}). Plain arrays are the hand-over between the training graph and the separate,
 * lean inference graph, so nothing of the optimizer can leak into the export.
 */
public record MlpWeights(int inputs, int hidden, int classes,
                         float[] hiddenKernel, float[] hiddenBias,
                         float[] outputKernel, float[] outputBias) {

  public MlpWeights {
    check(hiddenKernel, inputs * hidden, "hidden kernel");
    check(hiddenBias, hidden, "hidden bias");
    check(outputKernel, hidden * classes, "output kernel");
    check(outputBias, classes, "output bias");
  }

  public long parameterCount() {
    return (long) hiddenKernel.length + hiddenBias.length + outputKernel.length + outputBias.length;
  }

  private static void check(float[] values, int expected, String what) {
    if (values.length != expected) {
      throw new IllegalArgumentException(what + " has " + values.length + " values, expected " + expected);
    }
  }
}
