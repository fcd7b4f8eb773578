package dev.batchinfer.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File-system steps around publishing a model version. A version folder only ever appears
 * complete: everything is written to a hidden staging folder beside it and renamed at the end, so
 * a crashed run never leaves a half-written model where serving looks for one.
 */
final class ModelDirs {

  private ModelDirs() {}

  static Path stagingFor(Path versionDir) {
    return versionDir.resolveSibling("." + versionDir.getFileName() + ".partial");
  }

  static boolean isNonEmptyDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    }
  }

  /** Replaces {@code target} by {@code staging}; the old version is removed only after the rename. */
  static void publish(Path staging, Path target) throws IOException {
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    deleteRecursively(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(old);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  static long sizeInBytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    }
  }

  /** Size of the SavedModel proper: saved_model.pb plus variables/. */
  static long savedModelBytes(Path dir) throws IOException {
    return Files.size(dir.resolve("saved_model.pb")) + sizeInBytes(dir.resolve("variables"));
  }
}
