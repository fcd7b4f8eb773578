package dev.batchinfer.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where the API is and which key to use: a flag wins, then the environment ({@code BATCH_API_URL},
 * {@code BATCH_API_KEY}), then the config file ({@code --config}, else {@code BATCH_CONFIG}, else
 * {@code ~/.config/batch/config}: {@code url=} and {@code key=} lines), then the defaults (the standalone system).
 */
record Connection(String url, String key) {

  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final String DEFAULT_KEY = "dev-key";

  static Connection resolve(String urlFlag, String keyFlag, Path configFlag, Map<String, String> env) throws IOException {
    Properties file = new Properties();
    Path config = configFlag != null ? configFlag
        : env.containsKey("BATCH_CONFIG") ? Path.of(env.get("BATCH_CONFIG"))
        : Path.of(env.getOrDefault("HOME", "."), ".config", "batch", "config");
    if (Files.isReadable(config)) {
      try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        file.load(r);
      }
    } else if (configFlag != null) {
      throw new IOException("config file " + configFlag + " cannot be read");
    }
    return new Connection(first(urlFlag, env.get("BATCH_API_URL"), file.getProperty("url"), DEFAULT_URL),
        first(keyFlag, env.get("BATCH_API_KEY"), file.getProperty("key"), DEFAULT_KEY));
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
