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
  public static byte[] imageBatch(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(n * 1080 + 64).append("{\"model\":\"fashion-mnist\",\"inputs\":[");
    Base64.Encoder b64 = Base64.getEncoder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"pixels\":\"").append(b64.encodeToString(image(random))).append("\"}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code n} inputs of the trivial model, four bytes each. */
  public static byte[] trivialBatch(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(n * 20 + 64).append("{\"model\":\"bench-trivial\",\"inputs\":[");
    Base64.Encoder b64 = Base64.getEncoder();
    byte[] x = new byte[4];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 4; j++) {
        x[j] = (byte) random.nextInt(256);
      }
      sb.append(i == 0 ? "" : ",").append("{\"x\":\"").append(b64.encodeToString(x)).append("\"}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** One image for a per-item request: {"pixels": "<base64>"}. */
  public static byte[] oneImage(SplittableRandom random) {
    return ("{\"pixels\":\"" + Base64.getEncoder().encodeToString(image(random)) + "\"}").getBytes(StandardCharsets.US_ASCII);
  }

  /** A sync-predict body of one image. */
  public static byte[] syncImage(SplittableRandom random) {
    return ("{\"inputs\":[{\"pixels\":\"" + Base64.getEncoder().encodeToString(image(random)) + "\"}]}")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
