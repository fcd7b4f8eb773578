package dev.batchinfer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Redis key and hash field is named in {@link RedisKeys} alone: the main sources of every module are
 * scanned for keys and fields written by hand elsewhere.
 */
class RedisSchemaTest {

  /** What a key or field written by hand looks like. */
  private static final List<Pattern> BY_HAND = List.of(
      // a key with a hash tag: "batch:{" + id + "}" and the like
      Pattern.compile("\"[\\w.-]+:\\{[^\"]*\"|\"\\}:[\\w.-]*\""),
      // a key built from the catalogue's prefix outside it
      Pattern.compile("keys(\\(\\))?\\.prefix\\(\\)\\s*\\+"),
      // a literal field of a hash command, right after its key: hget(key, "status"), hset(key, Map.of("a", ...))
      Pattern.compile("\\.(hget|hset|hsetnx|hdel|hexists|hincrby|hincrbyfloat)\\(\\s*(?:[^,();]|\\([^()]*\\))+,\\s*(Map\\.of\\(\\s*)?\""),
      // any literal field of an HMGET: hmget(key, FIELD, "tenant")
      Pattern.compile("\\.hmget\\([^;]*?,\\s*\""),
      // a literal field in a Lua script: redis.call('HSET', KEYS[1], 'status', ...)
      Pattern.compile("'H[A-Z]+',\\s*KEYS\\[\\d+\\],\\s*'"));

  @Test
  void no_main_source_outside_the_catalogue_writes_a_key_or_a_field_by_hand() throws IOException {
    List<String> found = new ArrayList<>();
    Path root = Path.of("..").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(RedisSchemaTest::isMainSource).toList()) {
        String text = Files.readString(f);
        for (Pattern p : BY_HAND) {
          Matcher m = p.matcher(text);
          while (m.find()) {
            found.add(root.relativize(f) + ":" + line(text, m.start()) + ": " + m.group());
          }
        }
      }
    }
    assertThat(found).as("keys or fields written outside RedisKeys").isEmpty();
  }

  @Test
  void the_scan_finds_a_key_and_fields_written_by_hand() {
    String bad = String.join("\n",
        "String k = keys.prefix() + \"batch:{\" + id + \"}\";",
        "redis.sync().hget(keys.batch(id), \"status\");",
        "redis.call('HSET', KEYS[1], 'status', 'x')",
        "redis.sync().hmget(keys.batch(id), BatchField.TENANT, \"priority\");",
        "redis.sync().hset(keys.batch(id), BatchField.STATUS, \"queued\");");
    long hits = BY_HAND.stream().mapToLong(p -> p.matcher(bad).results().count()).sum();
    assertThat(hits).isEqualTo(5); // the last line writes a value, not a field
  }

  private static boolean isMainSource(Path f) {
    String s = f.toString().replace('\\', '/');
    return s.endsWith(".java") && s.contains("/src/main/java/") && !s.contains("/target/")
        && !s.endsWith("/dev/batchinfer/store/RedisKeys.java");
  }

  private static int line(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }
}
