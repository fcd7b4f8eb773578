package dev.batchinfer.bench.run;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * Request bodies. Images are synthetic 28x28 pictures (a bright shape on a dark background, so
 * they compress on Kafka about like real ones); a model's cost does not depend on the pixels.
 */
public final class Bodies {

  private Bodies() {}

  /**
   * A submit body as sent: a JSON batch, or a raw upload (images end to end, the model named in the
   * query), the API's cheapest way in for images.
   */
  public record Body(byte[] bytes, String contentType, String query) {
    static Body json(byte[] bytes) {
      return new Body(bytes, "application/json", "");
    }
  }

  public static byte[] image(SplittableRandom random) {
    byte[] px = new byte[784];
    int top = random.nextInt(2, 10);
    int left = random.nextInt(2, 10);
    int bottom = random.nextInt(18, 27);
    int right = random.nextInt(18, 27);
    for (int r = top; r < bottom; r++) {
      for (int c = left; c < right; c++) {
        px[r * 28 + c] = (byte) random.nextInt(120, 256);
      }
    }
    return px;
  }

  /** A batch of {@code n} Fashion-MNIST-shaped images in the compact form {"pixels": "<base64>"}. */
  public static Body imageBatch(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return batch("fashion-mnist", n, 1080, () -> item("pixels", image(random)));
  }

  /** {@code n} inputs of the trivial model, four bytes each. */
  public static Body trivialBatch(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return batch("bench-trivial", n, 20, () -> {
      byte[] x = new byte[4];
      for (int j = 0; j < 4; j++) {
        x[j] = (byte) random.nextInt(256);
      }
      return item("x", x);
    });
  }

  /** The same images as {@link #imageBatch} with the same seed, as a raw upload: 784 bytes each. */
  public static Body rawImages(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] out = new byte[n * 784];
    for (int i = 0; i < n; i++) {
      System.arraycopy(image(random), 0, out, i * 784, 784);
    }
    return new Body(out, "application/octet-stream", "?model=" + BenchModels.FASHION);
  }

  /** One image for a per-item request: {"pixels": "<base64>"}. */
  public static byte[] oneImage(SplittableRandom random) {
    return item("pixels", image(random)).getBytes(StandardCharsets.US_ASCII);
  }

  /** A sync-predict body of one image. */
  public static byte[] syncImage(SplittableRandom random) {
    return ("{\"inputs\":[" + item("pixels", image(random)) + "]}").getBytes(StandardCharsets.US_ASCII);
  }

  private static Body batch(String model, int n, int itemChars, java.util.function.Supplier<String> items) {
    StringBuilder sb = new StringBuilder(n * itemChars + 64).append("{\"model\":\"").append(model).append("\",\"inputs\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(items.get());
    }
    return Body.json(sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII));
  }

  private static String item(String field, byte[] value) {
    return "{\"" + field + "\":\"" + Base64.getEncoder().encodeToString(value) + "\"}";
  }
}
