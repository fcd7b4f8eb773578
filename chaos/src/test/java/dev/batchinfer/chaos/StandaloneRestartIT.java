package dev.batchinfer.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.embedded.proc.ChildJvm;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The standalone, as a user runs it (one JVM with its embedded broker and redis-server), killed with
 * kill -9 in the middle of a batch and started again on the same DATA_DIR: the batch finishes with
 * every item's result exactly once, and what was finished before the kill is still readable.
 */
class StandaloneRestartIT {

  private static final int ITEMS = 20_000;
  private static final String KEY = "dev-key";

  private ChildJvm standalone;

  @AfterEach
  void stop() {
    if (standalone != null) {
      standalone.close();
    }
  }

  @Test
  void a_standalone_killed_mid_batch_resumes_it_from_its_data_dir() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "standalone-restart-" + System.currentTimeMillis()));
    Map<String, String> env = new HashMap<>();
    env.put("DATA_DIR", dir.resolve("data").toAbsolutePath().toString());
    env.put("API_PORT", Integer.toString(freePort()));
    env.put("KAFKA_PORT", Integer.toString(freePort()));
    env.put("METRICS_PORT", "0");
    env.put("MODEL_ARTIFACTS", Path.of("..", "model-artifacts").toAbsolutePath().toString());
    env.put("TF_INTRA_OP_THREADS", "1");
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    // A small micro-batch so the batch takes a while and the kill lands in its middle.
    env.put("WORKER_MAX_BATCH_SIZE", "16");
    Api api = new Api("http://127.0.0.1:" + env.get("API_PORT"), KEY);

    standalone = start(env, dir, "standalone-1", api);
    Api.Answer accepted = api.submit(body(), null);
    assertThat(accepted.status()).as("submit: " + accepted.body()).isEqualTo(202);
    String batchId = accepted.text("batch_id");
    Await.until(Duration.ofMinutes(3), "some items done", () -> done(api, batchId) > 0);
    long before = done(api, batchId);
    standalone.kill9();

    standalone = start(env, dir, "standalone-2", api);
    Api.Answer early = api.status(batchId);
    assertThat(early.status()).as("the batch is known after the restart").isEqualTo(200);
    assertThat(early.body().path("progress").path("completed").asLong()).as("progress kept").isGreaterThanOrEqualTo(before);
    Await.until(Duration.ofMinutes(5), "the batch completed", () -> "completed".equals(api.status(batchId).text("status")));

    List<JsonNode> results = api.client().results(batchId).toList();
    int[] seen = new int[ITEMS];
    for (JsonNode r : results) {
      seen[r.path("index").asInt()]++;
    }
    long missing = java.util.Arrays.stream(seen).filter(n -> n == 0).count();
    long twice = java.util.Arrays.stream(seen).filter(n -> n > 1).count();
    System.out.printf("[chaos] standalone kill -9 mid-batch and restart: items %d, done before the kill %d, "
        + "with one result %d, lost %d, duplicated %d%n", ITEMS, before, ITEMS - missing - twice, missing, twice);
    assertThat(missing).as("items without a result").isZero();
    assertThat(twice).as("items with more than one result").isZero();
    assertThat(api.status(batchId).body().path("progress").path("completed").asLong()).isEqualTo(ITEMS);
  }

  private static ChildJvm start(Map<String, String> env, Path dir, String name, Api api) {
    ChildJvm jvm = ChildJvm.start(name, "dev.batchinfer.standalone.StandaloneMain", "1g", env, dir);
    Await.until(Duration.ofMinutes(3), name + " healthy", () -> {
      jvm.requireAlive();
      return api.healthy();
    });
    return jvm;
  }

  private static long done(Api api, String batchId) {
    Api.Answer a = api.status(batchId);
    return a.body() == null ? 0 : a.body().path("progress").path("completed").asLong();
  }

  private static byte[] body() {
    StringBuilder sb = new StringBuilder(ITEMS * 1080).append("{\"model\":\"fashion-mnist\",\"inputs\":[");
    for (int i = 0; i < ITEMS; i++) {
      sb.append(i == 0 ? "" : ",").append(Load.item(7, i));
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
