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
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The broker goes away: submits fail fast and leave nothing; reads keep working; then it comes back. */
class KafkaOutageIT {

  private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(4);

  @Test
  void with_the_broker_down_submit_answers_503_in_time_leaves_nothing_and_recovers() {
    TestNamespace ns = TestNamespace.create("outage");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, Topics.withPrefix(ns.topicPrefix()), (short) 1);
    }
    Env env = Env.of(ns.env(Map.of("API_PORT", "0", "MODEL_ARTIFACTS", "../model-artifacts",
        "API_INSTANCE_ID", TestInfra.unique("api"), "API_KEYS", ApiClient.API_KEYS,
        "SUBMIT_TIMEOUT", SUBMIT_TIMEOUT.toSeconds() + "s", "CHUNK_MAX_ITEMS", "2")));
    try (ProducerApiApp app = ProducerApiApp.create(ApiSettings.from(env)).start();
        RedisClient redisClient = RedisClient.create(TestInfra.redisUrl());
        StatefulRedisConnection<String, String> redis = redisClient.connect()) {
      ApiClient api = new ApiClient(app.port());
      // Two chunks go out in a transaction, one alone as a plain record: each way must fail cleanly.
      String body = Inputs.batchBody("fashion-mnist", Inputs.images(4, 3), null);
      String oneChunk = Inputs.batchBody("fashion-mnist", Inputs.images(2, 5), null);
      String before = api.post("/v1/batch/predict", body).body().get("batch_id").asText();
      assertThat(api.post("/v1/batch/predict", oneChunk).status()).isEqualTo(202);
      long keys = redis.sync().keys(ns.redisKeyPrefix() + "batch:*").size();

      TestInfra.kafka().stop();
      try {
        for (String b : List.of(body, oneChunk)) {
          long start = System.nanoTime();
          ApiClient.Answer down = api.post("/v1/batch/predict", b);
          Duration took = Duration.ofNanos(System.nanoTime() - start);

          assertThat(down.status()).isEqualTo(503);
          assertThat(down.raw().headers().firstValue("Retry-After")).isPresent();
          assertThat(down.contentType()).startsWith("application/problem+json");
          // Bounded by the configured time (plus the request's own handling), not by Kafka's defaults.
          // Slack for a busy CI machine; Kafka's own default would block for 60 s.
          assertThat(took).isLessThan(SUBMIT_TIMEOUT.plusSeconds(8));
          assertThat(redis.sync().keys(ns.redisKeyPrefix() + "batch:*")).hasSize((int) keys);
        }
        assertThat(api.get("/v1/batch/" + before + "/status").status()).isEqualTo(200);
      } finally {
        TestInfra.kafka().restart();
      }
      await().atMost(Duration.ofMinutes(1)).until(() -> api.post("/v1/batch/predict", body).status() == 202);
      await().atMost(Duration.ofMinutes(1)).until(() -> api.post("/v1/batch/predict", oneChunk).status() == 202);
    }
  }
}
