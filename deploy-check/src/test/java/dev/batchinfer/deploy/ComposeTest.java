package dev.batchinfer.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml in its two shapes: alone, and with the cluster profile's three brokers. Only
 * {@code docker-compose config} can be run here (no Docker engine); it needs no engine.
 */
class ComposeTest {

  private static final Path FILE = Path.of("../docker-compose.yml");

  @Test
  void the_file_is_valid_alone_and_with_the_cluster_profile() throws Exception {
    compose("config", "-q");
    compose("--profile", "cluster", "config", "-q");
  }

  @Test
  void the_cluster_profile_adds_two_brokers_to_broker_one_and_asks_for_three_replicas_two_in_sync() throws Exception {
    JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(compose("--profile", "cluster", "config")).path("services");
    List<String> brokers = new ArrayList<>();
    services.fields().forEachRemaining(e -> {
      if (e.getValue().path("image").asText().startsWith("apache/kafka")) {
        brokers.add(e.getKey());
      }
    });
    assertThat(brokers).containsExactlyInAnyOrder("kafka", "kafka-2", "kafka-3");
    assertThat(services.path("kafka").has("profiles")).as("broker 1 runs in both shapes").isFalse();
    for (String b : List.of("kafka-2", "kafka-3")) {
      assertThat(services.path(b).path("profiles").toString()).isEqualTo("[\"cluster\"]");
      assertThat(services.path(b).path("environment").path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText()).isEqualTo("1@kafka:9093");
      assertThat(services.path(b).path("environment").path("CLUSTER_ID").asText())
          .isEqualTo(services.path("kafka").path("environment").path("CLUSTER_ID").asText());
    }
    String init = services.path("topics-init").path("command").toString();
    assertThat(init).contains("kafka-2").contains("kafka-3")
        .contains("TOPIC_REPLICATION_FACTOR=3").contains("TOPIC_MIN_INSYNC_REPLICAS=2");
  }

  @Test
  void workers_scale_with_scale_gpu_worker_n() throws Exception {
    JsonNode worker = new ObjectMapper(new YAMLFactory()).readTree(compose("config")).path("services").path("gpu-worker");
    assertThat(worker.isMissingNode()).isFalse();
    assertThat(worker.has("container_name")).as("a fixed container name allows one container").isFalse();
    assertThat(worker.has("ports")).as("a host port allows one container").isFalse();
    assertThat(worker.has("hostname")).as("a fixed hostname gives every worker the same WORKER_ID").isFalse();
  }

  private static String compose(String... args) throws Exception {
    var binary = Kustomize.onPath("docker-compose");
    if (binary.isEmpty() && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI needs docker-compose (.ci/run installs it)");
    }
    assumeTrue(binary.isPresent(), "docker-compose is not installed (apt-get install --no-install-recommends docker-compose)");
    List<String> cmd = new ArrayList<>(List.of(binary.get().toString(), "-f", FILE.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
    return out;
  }
}
