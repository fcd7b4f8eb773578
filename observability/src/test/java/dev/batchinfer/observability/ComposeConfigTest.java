package dev.batchinfer.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, with its Prometheus and Grafana, is a valid compose file ({@code docker-compose
 * config -q}, which needs no Docker engine), and the files it mounts are there.
 */
class ComposeConfigTest {

  private static final Path COMPOSE = Path.of("/usr/bin/docker-compose");

  @Test
  void the_compose_file_is_valid_and_its_observability_files_exist() throws Exception {
    boolean present = Files.isExecutable(COMPOSE);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI needs docker-compose (.ci/run installs it)");
    }
    assertThat(Path.of("compose/prometheus.yml")).isRegularFile();
    assertThat(Path.of("compose/grafana/dashboards/batch-inference.json")).isRegularFile();
    assertThat(Path.of("compose/grafana/provisioning/datasources/prometheus.yml")).isRegularFile();
    assumeTrue(present, "docker-compose not installed");
    Process p = new ProcessBuilder(COMPOSE.toString(), "-f", "../docker-compose.yml", "config", "-q")
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
  }
}
