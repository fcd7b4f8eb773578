package dev.batchinfer.api.testing;

import java.util.Random;
import java.util.StringJoiner;

/** Test inputs for fashion-mnist: reproducible pseudo-random 28×28 images. */
public final class Inputs {

  public static final int PIXELS = 784;

  private Inputs() {}

  public static byte[][] images(int count, long seed) {
    Random random = new Random(seed);
    byte[][] out = new byte[count][PIXELS];
    for (byte[] image : out) {
      random.nextBytes(image);
    }
    return out;
  }

  /** {"model": ..., "inputs": [{"pixels": [...]}, ...]} plus any extra top-level JSON fields. */
  public static String batchBody(String model, byte[][] images, String extraFields) {
    StringBuilder b = new StringBuilder(images.length * PIXELS * 4 + 100);
    b.append("{\"model\":\"").append(model).append('"');
    if (extraFields != null && !extraFields.isEmpty()) {
      b.append(',').append(extraFields);
    }
    b.append(",\"inputs\":[");
    for (int i = 0; i < images.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      StringJoiner values = new StringJoiner(",", "{\"pixels\":[", "]}");
      for (byte v : images[i]) {
        values.add(Integer.toString(Byte.toUnsignedInt(v)));
      }
      b.append(values);
    }
    return b.append("]}").toString();
  }

  /** The same batch with each image in the compact form: {"pixels": "<base64 of 784 bytes>"}. */
  public static String batchBodyBase64(String model, byte[][] images, String extraFields) {
    StringBuilder b = new StringBuilder(images.length * 1100 + 100);
    b.append("{\"model\":\"").append(model).append('"');
    if (extraFields != null && !extraFields.isEmpty()) {
      b.append(',').append(extraFields);
    }
    b.append(",\"inputs\":[");
    for (int i = 0; i < images.length; i++) {
      b.append(i > 0 ? "," : "").append("{\"pixels\":\"").append(java.util.Base64.getEncoder().encodeToString(images[i]))
          .append("\"}");
    }
    return b.append("]}").toString();
  }
}
