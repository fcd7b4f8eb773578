package dev.batchinfer.callback.sign;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}, keyed
 * with the base64 key of a {@code whsec_} secret. Several secrets during a rotation give several
 * space-separated signatures, so receivers holding either secret verify.
 */
public final class WebhookSigner {

  public static final String PREFIX = "whsec_";

  private final List<byte[]> keys;

  /** @param secrets newest first; each {@code whsec_<base64>} (the prefix is optional) */
  public WebhookSigner(List<String> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one webhook secret is needed");
    }
    List<byte[]> k = new ArrayList<>();
    for (String s : secrets) {
      k.add(key(s));
    }
    this.keys = List.copyOf(k);
  }

  /** The {@code webhook-signature} header value. */
  public String sign(String id, long timestampSeconds, String body) {
    StringBuilder out = new StringBuilder();
    for (byte[] key : keys) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append("v1,").append(Base64.getEncoder().encodeToString(hmac(key, content(id, timestampSeconds, body))));
    }
    return out.toString();
  }

  /**
   * What a receiver does: true if any signature in the header was made with one of our secrets over
   * exactly this id, timestamp and body, and the timestamp is within {@code tolerance} of now.
   */
  public boolean verify(String id, long timestampSeconds, String body, String signatureHeader, Instant now,
      Duration tolerance) {
    if (Math.abs(now.getEpochSecond() - timestampSeconds) > tolerance.toSeconds()) {
      return false;
    }
    byte[] content = content(id, timestampSeconds, body);
    for (String candidate : signatureHeader.trim().split(" +")) {
      if (!candidate.startsWith("v1,")) {
        continue;
      }
      byte[] given;
      try {
        given = Base64.getDecoder().decode(candidate.substring(3));
      } catch (IllegalArgumentException e) {
        continue;
      }
      for (byte[] key : keys) {
        if (MessageDigest.isEqual(given, hmac(key, content))) {
          return true;
        }
      }
    }
    return false;
  }

  /** A new random secret in the {@code whsec_} form (24 random bytes, as the reference libraries make). */
  public static String newSecret(java.security.SecureRandom random) {
    byte[] key = new byte[24];
    random.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  private static byte[] content(String id, long timestampSeconds, String body) {
    return (id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(String secret) {
    String b64 = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    try {
      byte[] key = Base64.getDecoder().decode(b64);
      if (key.length < 16) {
        throw new IllegalArgumentException("a webhook secret needs at least 16 bytes of key");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook secret must be whsec_ followed by base64 (" + e.getMessage() + ")");
    }
  }

  private static byte[] hmac(byte[] key, byte[] content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
