package dev.batchinfer.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The webhook signing secret of a standalone run. One standalone made up is kept in the data
 * directory, so receivers keep verifying after a restart, and printed in the banner (nobody could
 * verify signatures otherwise); one the operator gave is never printed, only where it came from: the
 * banner ends up in terminals and log files.
 */
record SigningSecret(String secrets, Path keptIn) {

  static final String ENV = "WEBHOOK_SECRETS";

  /**
   * Puts a secret into {@code vars} if WEBHOOK_SECRETS is absent or blank: the one kept in
   * {@code file}, else a new one, which is then kept there (readable by its owner only).
   */
  static SigningSecret settle(Map<String, String> vars, Path file, Supplier<String> newSecret) {
    String given = vars.get(ENV);
    if (given != null && !given.isBlank()) {
      return new SigningSecret(given, null);
    }
    try {
      String secret;
      if (Files.isRegularFile(file)) {
        secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      } else {
        secret = newSecret.get();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
      vars.put(ENV, secret);
      return new SigningSecret(secret, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the webhook secret in " + file, e);
    }
  }

  String banner() {
    return keptIn != null ? secrets + "   (made up, kept in " + keptIn + "; set " + ENV + " to choose one)"
        : "the secrets in " + ENV;
  }
}
