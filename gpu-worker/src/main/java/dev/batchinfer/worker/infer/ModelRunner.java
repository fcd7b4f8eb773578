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
 * to end, and returns the output probabilities. Safe to call from several threads.
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
    InputSpec in = config.input();
    long[] dims = new long[in.shape().size() + 1];
    dims[0] = n;
    for (int i = 0; i < in.shape().size(); i++) {
      dims[i + 1] = in.shape().get(i);
    }
    try (Tensor input = toTensor(in, Shape.of(dims), inputs, n)) {
      return run(input, n);
    }
  }

  /** Runs {@code texts.length} string items (a model whose input dtype is string). */
  public float[] predictText(String[] texts) {
    try (TString input = TString.vectorOf(texts)) {
      return run(input, texts.length);
    }
  }

  private float[] run(Tensor input, int n) {
    return accelerator.call(() -> call(input, n));
  }

  private float[] call(Tensor input, int n) {
    try (Result out = function.call(Map.of(config.input().name(), input))) {
      TFloat32 probabilities = (TFloat32) out.get(config.output().name())
          .orElseThrow(() -> new WorkerException(config.id() + " returned no '" + config.output().name() + "'"));
      if (!probabilities.shape().equals(Shape.of(n, classes))) {
        throw new WorkerException(config.id() + " returned shape " + probabilities.shape() + ", expected [" + n + ", "
            + classes + "]");
      }
      float[] rows = new float[n * classes];
      probabilities.copyTo(DataBuffers.of(rows, false, false));
      return rows;
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
