package dev.batchinfer.api.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A test batch, built as a reader says it: {@code aBatch().withItems(100).withPriority("high").json()}.
 * Defaults: fashion-mnist, seed 1, no options; the images are {@link Inputs#images} of that seed.
 */
public final class BatchRequest {

  private String model = "fashion-mnist";
  private byte[][] images = Inputs.images(10, 1);
  private long seed = 1;
  private final List<String> fields = new ArrayList<>();

  private BatchRequest() {}

  public static BatchRequest aBatch() {
    return new BatchRequest();
  }

  public BatchRequest forModel(String id) {
    this.model = id;
    return this;
  }

  /** {@code count} reproducible images of the current seed. */
  public BatchRequest withItems(int count) {
    this.images = Inputs.images(count, seed);
    return this;
  }

  public BatchRequest withSeed(long seed) {
    this.seed = seed;
    this.images = Inputs.images(images.length, seed);
    return this;
  }

  public BatchRequest withImages(byte[][] given) {
    this.images = given;
    return this;
  }

  public BatchRequest withPriority(String priority) {
    return withField("priority", quoted(priority));
  }

  public BatchRequest withCallback(String url) {
    return withField("callback_url", quoted(url));
  }

  /** Any other top-level field, its value as raw JSON: {@code withField("metadata", "{\"run\":\"x\"}")}. */
  public BatchRequest withField(String name, String rawJson) {
    fields.add(quoted(name) + ":" + rawJson);
    return this;
  }

  public byte[][] images() {
    return images;
  }

  public int items() {
    return images.length;
  }

  public String json() {
    return Inputs.batchBody(model, images, String.join(",", fields));
  }

  private static String quoted(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
