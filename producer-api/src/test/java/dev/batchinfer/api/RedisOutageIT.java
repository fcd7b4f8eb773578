package dev.batchinfer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.Env;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/**
 * Redis stops answering (SIGSTOP of a redis-server this test started): a submit gets 503 with
 * Retry-After within about the command timeout, not 500 after a minute; reads that need no Redis
 * are served; health says Redis is down; after SIGCONT everything works again.
 */
class RedisOutageIT {

  @Test
  void with_redis_stopped_a_submit_answers_503_in_time_models_still_answer_and_it_recovers() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("redis-outage");
    Process redis = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    long pid = redis.pid();
    try {
      TestNamespace ns = TestNamespace.create("redisdown");
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
        TopicCreator.ensure(admin, Topics.withPrefix(ns.topicPrefix()), (short) 1);
      }
      Map<String, String> env = new HashMap<>(ns.env(Map.of("API_PORT", "0", "MODEL_ARTIFACTS", "../model-artifacts",
          "API_INSTANCE_ID", TestInfra.unique("api"), "API_KEYS", ApiClient.API_KEYS)));
      env.put("REDIS_URL", "redis://127.0.0.1:" + port + "?timeout=1s");
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          return true;
        }
      });
      try (ProducerApiApp app = ProducerApiApp.create(ApiSettings.from(Env.of(env))).start()) {
        ApiClient api = new ApiClient(app.port());
        String body = Inputs.batchBody("fashion-mnist", Inputs.images(2, 3), null);
        assertThat(api.post("/v1/batch/predict", body).status()).isEqualTo(202);
        assertThat(api.get("/v1/models").status()).isEqualTo(200);

        signal("STOP", pid);
        try {
          long start = System.nanoTime();
          ApiClient.Answer down = api.post("/v1/batch/predict", body);
          Duration took = Duration.ofNanos(System.nanoTime() - start);
          assertThat(down.status()).isEqualTo(503);
          assertThat(down.raw().headers().firstValue("Retry-After")).isPresent();
          assertThat(down.contentType()).startsWith("application/problem+json");
          // A few 1 s command timeouts at most, far from Lettuce's 60 s default; slack for a busy CI host.
          assertThat(took).isLessThan(Duration.ofSeconds(20));

          assertThat(api.get("/v1/models").status()).isEqualTo(200);
          ApiClient.Answer health = api.get("/health");
          assertThat(health.status()).isEqualTo(503);
          assertThat(health.body().get("redis").asText()).isEqualTo("down");
        } finally {
          signal("CONT", pid);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> api.post("/v1/batch/predict", body).status() == 202);
        assertThat(api.get("/health").status()).isEqualTo(200);
      }
    } finally {
      signal("CONT", pid);
      redis.destroyForcibly().waitFor();
    }
  }

  private static void signal(String name, long pid) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
  }
}
