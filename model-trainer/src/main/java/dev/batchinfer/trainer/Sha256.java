package dev.batchinfer.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a file, hex encoded: pins exactly which dataset bytes a model was trained on. */
public final class Sha256 {

  private Sha256() {}

  public static String ofFile(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String ofBytes(byte[] bytes) {
    return HexFormat.of().formatHex(digest(bytes));
  }

  public static byte[] digest(byte[] bytes) {
    return newDigest().digest(bytes);
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE ships SHA-256", e);
    }
  }
}
