package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which installed Debian package owns a file, from dpkg's own file lists
 * ({@code /var/lib/dpkg/info/<package>[:arch].list}); what {@code dpkg -S} reports, without a
 * process per file. Empty on a machine without dpkg.
 */
final class DebianPackages {

  static final Path INFO = Path.of("/var/lib/dpkg/info");

  private DebianPackages() {}

  static Map<String, String> owners(Set<String> paths) throws IOException {
    return owners(INFO, paths);
  }

  static Map<String, String> owners(Path infoDir, Set<String> paths) throws IOException {
    Map<String, String> owners = new HashMap<>();
    if (!Files.isDirectory(infoDir)) {
      return owners;
    }
    try (Stream<Path> lists = Files.list(infoDir)) {
      for (Path list : lists.filter(p -> p.getFileName().toString().endsWith(".list")).sorted().toList()) {
        String name = list.getFileName().toString();
        String pkg = name.substring(0, name.length() - ".list".length());
        int colon = pkg.indexOf(':');
        String bare = colon < 0 ? pkg : pkg.substring(0, colon);
        for (String line : Files.readAllLines(list)) {
          if (paths.contains(line)) {
            owners.putIfAbsent(line, bare);
          }
        }
      }
    }
    return owners;
  }
}
