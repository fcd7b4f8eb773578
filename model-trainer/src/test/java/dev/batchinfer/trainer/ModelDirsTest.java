package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirsTest {

  @TempDir Path root;

  @Test
  void staging_folder_is_a_hidden_sibling_of_the_version() {
    Path version = root.resolve("fashion-mnist/1.0.0");

    assertThat(ModelDirs.stagingFor(version)).isEqualTo(root.resolve("fashion-mnist/.1.0.0.partial"));
  }

  @Test
  void publish_replaces_an_existing_version_completely() throws IOException {
    Path version = Files.createDirectories(root.resolve("m/1.0.0"));
    Files.writeString(version.resolve("stale.txt"), "old");
    Path staging = Files.createDirectories(ModelDirs.stagingFor(version).resolve("variables"));
    Files.writeString(staging.resolve("v"), "new");

    ModelDirs.publish(staging.getParent(), version);

    assertThat(version.resolve("stale.txt")).doesNotExist();
    assertThat(version.resolve("variables/v")).hasContent("new");
    assertThat(ModelDirs.stagingFor(version)).doesNotExist();
    try (var left = Files.list(root.resolve("m"))) {
      assertThat(left).containsExactly(version);
    }
    assertThat(ModelDirs.sizeInBytes(version)).isEqualTo(3);
  }

  @Test
  void an_empty_folder_does_not_count_as_published() throws IOException {
    Path empty = Files.createDirectories(root.resolve("e"));

    assertThat(ModelDirs.isNonEmptyDir(empty)).isFalse();
    assertThat(ModelDirs.isNonEmptyDir(root.resolve("missing"))).isFalse();
    Files.writeString(empty.resolve("f"), "x");
    assertThat(ModelDirs.isNonEmptyDir(empty)).isTrue();
  }
}
