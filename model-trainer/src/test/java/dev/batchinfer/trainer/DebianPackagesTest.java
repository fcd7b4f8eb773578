package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianPackagesTest {

  @Test
  void maps_files_to_the_package_whose_list_names_them(@TempDir Path info) throws IOException {
    Files.writeString(info.resolve("coreutils.list"), "/.\n/usr/share/locale/de/LC_MESSAGES/coreutils.mo\n");
    Files.writeString(info.resolve("libc-bin:amd64.list"), "/usr/share/locale/de/LC_MESSAGES/libc.mo\n");
    Files.writeString(info.resolve("coreutils.md5sums"), "/usr/share/locale/fr/LC_MESSAGES/x.mo\n");

    var owners = DebianPackages.owners(info, Set.of("/usr/share/locale/de/LC_MESSAGES/coreutils.mo",
        "/usr/share/locale/de/LC_MESSAGES/libc.mo", "/usr/share/locale/fr/LC_MESSAGES/x.mo"));

    assertThat(owners).hasSize(2)
        .containsEntry("/usr/share/locale/de/LC_MESSAGES/coreutils.mo", "coreutils")
        .containsEntry("/usr/share/locale/de/LC_MESSAGES/libc.mo", "libc-bin");
  }

  @Test
  void is_empty_without_dpkg(@TempDir Path dir) throws IOException {
    assertThat(DebianPackages.owners(dir.resolve("missing"), Set.of("/x"))).isEmpty();
  }
}
