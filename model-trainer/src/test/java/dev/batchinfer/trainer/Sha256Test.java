package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

  @Test
  void hashes_a_file_like_sha256sum(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("abc"), "abc".getBytes());

    // FIPS 180-2 test vector for "abc".
    assertThat(Sha256.ofFile(file))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        .isEqualTo(Sha256.ofBytes("abc".getBytes()));
  }
}
