package dev.batchinfer.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code kustomize build}, by the kustomize binary or kubectl's built-in one, whichever is installed. */
final class Kustomize {

  private Kustomize() {}

  /** The command that renders a directory, without the directory; empty when neither tool is installed. */
  static Optional<List<String>> command() {
    Optional<Path> kustomize = onPath("kustomize");
    if (kustomize.isPresent()) {
      return Optional.of(List.of(kustomize.get().toString(), "build"));
    }
    return onPath("kubectl").map(k -> List.of(k.toString(), "kustomize"));
  }

  static String build(Path dir) {
    List<String> cmd = new ArrayList<>(command().orElseThrow());
    cmd.add(dir.toString());
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + err);
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
