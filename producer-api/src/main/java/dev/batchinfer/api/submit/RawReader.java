package dev.batchinfer.api.submit;

import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reads a raw upload: fixed-size inputs end to end, in the model's wire form. */
final class RawReader {

  private RawReader() {}

  /**
   * Reads a raw upload: the inputs end to end, each exactly as the model's wire form (its
   * {@code payloadBytes}: uint8 values, or float32 little-endian, row-major). No parsing and no
   * per-value conversion: for image batches the cheapest way in, and the body is a third smaller
   * than base64 in JSON. Every input is still checked against the model's range as it arrives.
   *
   * @throws ApiException 415 for a model with variable-size (string) inputs, 400 for an empty body,
   *     a body that is not a whole number of inputs, or an input out of range (naming its index),
   *     413 past {@code maxItems}
   */
  static Upload read(InputStream body, ModelConfig model, Chunker chunker, long maxItems) {
    int size = model.input().payloadBytes();
    if (size < 0) {
      throw new ApiException(415, "unsupported-media-type", "Raw upload of variable-size inputs", model.id()
          + " takes " + model.input().describe() + ", which has no fixed size: send JSON or NDJSON instead",
          "Content-Type", null);
    }
    long index = 0;
    try (InputStream in = new java.io.BufferedInputStream(body, 64 * 1024)) {
      byte[] item = new byte[size]; // the chunker copies it: one buffer serves every input
      int read;
      while ((read = in.readNBytes(item, 0, size)) > 0) {
        if (read < size) {
          throw ApiException.invalid("", "the body ends with " + read + " bytes of input " + index
              + "; a raw upload is whole inputs of " + size + " bytes each: " + model.input().describe())
              .with("item", index);
        }
        if (index >= maxItems) {
          throw ApiException.tooLarge("", "more than " + maxItems + " inputs in one upload: split the batch").with("item", index);
        }
        String problem = model.input().checkPayload(java.nio.ByteBuffer.wrap(item));
        if (problem != null) {
          throw ApiException.invalid("", "input " + index + ": " + problem).with("item", index);
        }
        chunker.add(index++, item);
      }
    } catch (IOException e) {
      throw ApiException.invalid("", "the body could not be read to its end: " + e.getMessage());
    }
    if (index == 0) {
      throw ApiException.invalid("", "the body is empty: send the inputs end to end, " + size + " bytes each: "
          + model.input().describe());
    }
    chunker.finish();
    return new Upload(index, chunker.chunkCount(), chunker.inputBytes(), List.of(), 0);
  }

}
