package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TestInfra;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** After its retention a finished batch's data is gone, and reads say so with 410 and the date. */
class RetentionIT {

  @Test
  void after_the_retention_the_keys_are_gone_and_results_answer_410_with_the_date() {
    try (TestSystem system = new TestSystem("retention", Map.of());
        RedisClient client = RedisClient.create(TestInfra.redisUrl());
        var redis = client.connect()) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("retention-worker"));
      ApiClient api = system.api();
      String id = api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(10, 1),
          "\"retention\":\"6s\"")).body().get("batch_id").asText();
      await().atMost(Duration.ofMinutes(1)).until(() ->
          "completed".equals(api.get("/v1/batch/" + id + "/status").body().get("status").asText()));
      assertThat(api.get("/v1/batch/" + id + "/results").status()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/batch/" + id + "/results").status() == 410);
      ApiClient.Answer gone = api.get("/v1/batch/" + id + "/status");
      assertThat(gone.status()).isEqualTo(410);
      assertThat(gone.body().get("detail").asText()).contains("removed at 20");
      // Each key got its TTL in its own command, so the last expires a moment after the record.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(redis.sync().keys(system.ns.redisKeyPrefix() + "batch:{" + id + "}*")).isEmpty());
      assertThat(api.withKey(ApiClient.KEY_B).get("/v1/batch/" + id + "/status").status()).isEqualTo(404);
    }
  }
}
