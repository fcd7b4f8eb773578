package dev.batchinfer.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API keys, kept only as SHA-256 hashes: {@code tenant:role:sha256hex} entries (role {@code user}
 * or {@code admin}) from API_KEYS (comma-separated) and API_KEYS_FILE (one per line, # comments).
 * To add a key: {@code printf '%s' "$KEY" | sha256sum}, then add {@code tenant:user:<hash>}.
 * A key is never logged; a lookup hashes what the client sent.
 */
public final class ApiKeys {

  private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9._-]{1,64}):(user|admin):([0-9a-f]{64})");

  private final Map<String, Principal> byHash = new ConcurrentHashMap<>();

  /**
   * @param entries {@code tenant:role:sha256hex}, as configured
   * @throws IllegalArgumentException naming the first entry that is not one (its hash cut short)
   */
  public ApiKeys(List<String> entries) {
    for (String e : entries) {
      var m = ENTRY.matcher(e.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("API_KEYS entries must be tenant:user|admin:<sha256 hex of the key>, got '"
            + e.trim().replaceAll(":[0-9a-fA-F]{8,}", ":…") + "'");
      }
      byHash.put(m.group(3), new Principal(m.group(1), m.group(2).equals("admin")));
    }
  }

  /** The tenant:role:hash entry for a key: what an operator adds to the configuration. */
  public static String entry(String tenant, boolean admin, String key) {
    return tenant + ":" + (admin ? "admin" : "user") + ":" + sha256(key);
  }

  public Optional<Principal> lookup(String key) {
    return Optional.ofNullable(byHash.get(sha256(key)));
  }

  /** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256Hex(String text) {
    return sha256(text);
  }

  static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
