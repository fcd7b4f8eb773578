package dev.batchinfer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionTest {

  @Test
  void a_flag_beats_the_environment_which_beats_the_config_file_which_beats_the_defaults(@TempDir Path home)
      throws Exception {
    Path config = home.resolve(".config/batch/config");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "url=http://file:1\nkey=file-key\n");
    Map<String, String> env = Map.of("HOME", home.toString(), "BATCH_API_URL", "http://env:2");
    assertThat(Connection.resolve(null, null, null, env)).isEqualTo(new Connection("http://env:2", "file-key"));
    assertThat(Connection.resolve("http://flag:3", "flag-key", null, env))
        .isEqualTo(new Connection("http://flag:3", "flag-key"));
    assertThat(Connection.resolve(null, null, null, Map.of("HOME", home.resolve("none").toString())))
        .isEqualTo(new Connection(Connection.DEFAULT_URL, Connection.DEFAULT_KEY));
    assertThatThrownBy(() -> Connection.resolve(null, null, home.resolve("missing"), env))
        .hasMessageContaining("cannot be read");
  }
}
