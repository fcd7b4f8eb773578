package dev.batchinfer.worker.infer;

import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.worker.WorkerException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * One loaded SavedModel version. Takes a batch of items as the raw bytes the API encoded, laid end
 * to end, and returns the output probabilities. A call may be padded to more rows than items (a
 * model's allowed batch sizes): the padding rows repeat the first item and their outputs are
 * dropped here, so callers only ever see the real items' rows. Safe to call from several threads.
 */
public final class ModelRunner implements AutoCloseable {

  private final ModelConfig config;
  private final SavedModelBundle bundle;
  private final SessionFunction function;
  private final int classes;
  private final SimulatedAccelerator accelerator;

  public ModelRunner(ModelConfig config, int intraOpThreads, int interOpThreads) {
    this(config, intraOpThreads, interOpThreads, SimulatedAccelerator.NONE);
  }

  public ModelRunner(ModelConfig config, int intraOpThreads, int interOpThreads, SimulatedAccelerator accelerator) {
    this.config = config;
    this.accelerator = accelerator;
    ConfigProto threads = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .build();
    this.bundle = SavedModelBundle.loader(config.directory().toString())
        .withTags("serve")
        .withConfigProto(threads)
        .load();
    this.function = bundle.function(config.signature());
    this.classes = config.output().labels().size();
  }

  public ModelConfig config() {
    return config;
  }

  public int classes() {
    return classes;
  }

  /**
   * Runs {@code n} fixed-size items.
   *
   * @param inputs {@code n * payloadBytes} bytes, item after item
   * @return {@code n * classes} probabilities, row after row
   */
  public float[] predict(byte[] inputs, int n) {
    return predict(inputs, n, n);
  }

  /**
   * Runs {@code n} fixed-size items as one call of {@code rows} rows (an allowed batch size): rows
   * {@code n} to {@code rows - 1} are padding, copies of the first item, and their outputs are dropped.
   *
   * @param inputs the n items, item after item; if it has room for {@code rows} items the padding is
   *     written into it, else into a copy
   * @return {@code n * classes} probabilities, row after row: the real items' only
   */
  public float[] predict(byte[] inputs, int n, int rows) {
    InputSpec in = config.input();
    if (in.type() == InputSpec.DType.STRING) {
      throw new IllegalArgumentException(in.name() + " is a string input: use predictText");
    }
    long[] dims = new long[in.shape().size() + 1];
    dims[0] = rows;
    for (int i = 0; i < in.shape().size(); i++) {
      dims[i + 1] = in.shape().get(i);
    }
    byte[] padded = pad(inputs, n, rows, in.payloadBytes());
    try (Tensor input = toTensor(in, Shape.of(dims), padded, rows)) {
      return run(input, n, rows);
    }
  }

  /** Runs {@code texts.length} string items (a model whose input dtype is string). */
  public float[] predictText(String[] texts) {
    return predictText(texts, texts.length);
  }

  /** As {@link #predict(byte[], int, int)} for string items: padded with copies of the first text to {@code rows}. */
  public float[] predictText(String[] texts, int rows) {
    String[] padded = texts;
    if (rows > texts.length) {
      padded = java.util.Arrays.copyOf(texts, rows);
      java.util.Arrays.fill(padded, texts.length, rows, texts[0]);
    }
    try (TString input = TString.vectorOf(padded)) {
      return run(input, texts.length, rows);
    }
  }

  /** {@code inputs} with rows {@code n..rows-1} set to copies of item 0. */
  static byte[] pad(byte[] inputs, int n, int rows, int itemBytes) {
    if (rows <= n) {
      return inputs;
    }
    byte[] out = inputs.length >= rows * itemBytes ? inputs : java.util.Arrays.copyOf(inputs, rows * itemBytes);
    for (int r = n; r < rows; r++) {
      System.arraycopy(out, 0, out, r * itemBytes, itemBytes);
    }
    return out;
  }

  private float[] run(Tensor input, int n, int rows) {
    return accelerator.call(() -> call(input, n, rows));
  }

  /** The first {@code n} of the call's {@code rows} output rows. */
  private float[] call(Tensor input, int n, int rows) {
    try (Result out = function.call(Map.of(config.input().name(), input))) {
      TFloat32 probabilities = (TFloat32) out.get(config.output().name())
          .orElseThrow(() -> new WorkerException(config.id() + " returned no '" + config.output().name() + "'"));
      if (!probabilities.shape().equals(Shape.of(rows, classes))) {
        throw new WorkerException(config.id() + " returned shape " + probabilities.shape() + ", expected [" + rows + ", "
            + classes + "]");
      }
      float[] all = new float[rows * classes];
      probabilities.copyTo(DataBuffers.of(all, false, false));
      return rows == n ? all : java.util.Arrays.copyOf(all, n * classes);
    }
  }

  private static Tensor toTensor(InputSpec in, Shape shape, byte[] inputs, int n) {
    int bytes = n * in.payloadBytes();
    return switch (in.type()) {
      case STRING -> throw new IllegalArgumentException(in.name() + " is a string input: use predictText");
      // Raw bytes straight into the tensor: no per-value work at all.
      case UINT8 -> TUint8.tensorOf(shape, DataBuffers.of(inputs, true, false).slice(0, bytes));
      case FLOAT32 -> {
        float[] values = new float[n * in.elementCount()];
        ByteBuffer.wrap(inputs, 0, bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        yield TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
      }
    };
  }

  @Override
  public void close() {
    bundle.close();
  }
}
