package dev.batchinfer.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** No module names a class of another module's {@link Internal} package, in main or test code. */
class ModuleBoundaryTest {

  private static final Pattern INTERNAL_PACKAGE = Pattern.compile("(?m)^@Internal\\s+package\\s+([\\w.]+);");

  @Test
  void no_module_uses_another_modules_internal_packages() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Path> sources = sources(root);
    Map<String, String> ownerOfInternal = new HashMap<>();
    for (Path f : sources) {
      if (f.getFileName().toString().equals("package-info.java")) {
        Matcher m = INTERNAL_PACKAGE.matcher(Files.readString(f));
        if (m.find()) {
          ownerOfInternal.put(m.group(1), module(root, f));
        }
      }
    }
    assertThat(ownerOfInternal).as("internal packages found").hasSizeGreaterThanOrEqualTo(10);
    List<String> found = new ArrayList<>();
    for (Path f : sources) {
      found.addAll(uses(root.relativize(f).toString(), module(root, f), Files.readString(f), ownerOfInternal));
    }
    assertThat(found).as("uses of another module's internal package").isEmpty();
  }

  @Test
  void the_scan_finds_an_import_and_a_qualified_name() {
    // The package name is assembled so that this very file does not trip the scan it tests.
    String pkg = String.join(".", "dev", "batchinfer", "api", "limits");
    String text = "import " + pkg + ".TenantQuota;\nvar c = new " + pkg + ".Other();\n"
        + "import dev.batchinfer.api.submit.ChunkPublisher;\n";
    Map<String, String> internal = Map.of(pkg, "producer-api");
    assertThat(uses("X.java", "bench", text, internal)).hasSize(2);
    assertThat(uses("X.java", "producer-api", text, internal)).isEmpty();
  }

  private static List<String> uses(String file, String module, String text, Map<String, String> ownerOfInternal) {
    List<String> found = new ArrayList<>();
    ownerOfInternal.forEach((pkg, owner) -> {
      if (!owner.equals(module)) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(pkg) + "\\.[A-Z]").matcher(text);
        while (m.find()) {
          found.add(file + ": " + pkg + " belongs to " + owner);
        }
      }
    });
    return found;
  }

  private static List<Path> sources(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/main/java/") || f.toString().contains("/src/test/java/"))
          .filter(f -> !f.toString().contains("/target/"))
          .toList();
    }
  }

  private static String module(Path root, Path file) {
    return root.relativize(file).getName(0).toString();
  }
}
