package dev.batchinfer.bench.run;

import dev.batchinfer.embedded.load.SyntheticImages;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;

/** Request bodies. Images are {@link SyntheticImages}. */
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

  /** One image, a byte a pixel; brighter shapes than the chaos load's, as the bench has always sent. */
  public static byte[] image(SplittableRandom random) {
    return SyntheticImages.image(random, 120);
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
