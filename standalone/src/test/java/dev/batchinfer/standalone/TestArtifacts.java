package dev.batchinfer.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model-artifacts folder for rollout tests, built from the committed fashion-mnist 1.0.0: copies
 * of it under other version numbers, one of them with its labels reversed, so it "disagrees" with
 * production on every item (same SavedModel, other meaning), plus a registry.yaml.
 */
final class TestArtifacts {

  static final Path SOURCE = Path.of("../model-artifacts/fashion-mnist/1.0.0");

  private TestArtifacts() {}

  /**
   * @param disagreeing versions whose labels are reversed
   * @param registry the registry.yaml text
   */
  static Path create(Path root, List<String> versions, List<String> disagreeing, String registry) {
    try {
      for (String v : versions) {
        Path dir = root.resolve("fashion-mnist").resolve(v);
        copy(SOURCE, dir);
        String config = Files.readString(dir.resolve("config.yaml")).replace("version: 1.0.0", "version: " + v);
        if (disagreeing.contains(v)) {
          config = reverseLabels(config);
        }
        Files.writeString(dir.resolve("config.yaml"), config);
      }
      Files.writeString(root.resolve("registry.yaml"), registry);
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String reverseLabels(String config) {
    String line = config.lines().filter(l -> l.trim().startsWith("labels:")).findFirst().orElseThrow();
    String inner = line.substring(line.indexOf('[') + 1, line.lastIndexOf(']'));
    List<String> labels = new ArrayList<>(List.of(inner.split(",\\s*")));
    Collections.reverse(labels);
    return config.replace(line, line.substring(0, line.indexOf('[') + 1) + String.join(", ", labels) + "]");
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
