package dev.batchinfer.embedded.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The folders a harness lays out for its processes (data, state, logs), made where missing. */
public final class Dirs {

  private Dirs() {}

  /** {@code dir} and its parents, made if missing; a harness cannot go on without them, hence unchecked. */
  public static Path create(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
