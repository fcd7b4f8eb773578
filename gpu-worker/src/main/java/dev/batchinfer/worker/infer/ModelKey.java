package dev.batchinfer.worker.infer;

import dev.batchinfer.topics.message.ChunkHeader;

/**
 * One model version, as the worker keys its runners and micro-batches. Kept as two fields so code that
 * needs the model or the version never has to split a joined string; {@link #toString} is the
 * "model@version" form that logs and error messages show.
 */
public record ModelKey(String model, String version) {

  /** The version a chunk was pinned to when its batch was accepted. */
  public static ModelKey of(ChunkHeader header) {
    return new ModelKey(header.model(), header.modelVersion());
  }

  @Override
  public String toString() {
    return model + "@" + version;
  }
}
