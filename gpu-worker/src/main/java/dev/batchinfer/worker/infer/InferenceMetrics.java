package dev.batchinfer.worker.infer;

import dev.batchinfer.worker.batch.MicroBatcher;

/** What an inference thread reports about each micro-batch it runs. */
public interface InferenceMetrics {

  InferenceMetrics NONE = (batch, callNanos) -> { };

  /** One micro-batch went through the model (whatever its items' outcome) in {@code callNanos}. */
  void ran(MicroBatcher.Batch batch, long callNanos);
}
