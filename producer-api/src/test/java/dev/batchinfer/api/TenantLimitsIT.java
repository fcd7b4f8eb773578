package dev.batchinfer.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.Env;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** Per-tenant rate limits and quotas: the flooding tenant is refused, the other is not. */
class TenantLimitsIT {

  private static ProducerApiApp app(Map<String, String> limits) {
    return app(TestNamespace.create("limits"), limits);
  }

  private static ProducerApiApp app(TestNamespace ns, Map<String, String> limits) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, Topics.withPrefix(ns.topicPrefix()), (short) 1);
    }
    Map<String, String> env = new HashMap<>(Map.of("API_PORT", "0", "MODEL_ARTIFACTS", "../model-artifacts",
        "API_INSTANCE_ID", TestInfra.unique("api"), "API_KEYS", ApiClient.API_KEYS));
    env.putAll(limits);
    return ProducerApiApp.create(ApiSettings.from(Env.of(ns.env(env)))).start();
  }

  @Test
  void a_flooding_tenant_gets_429_with_retry_after_while_another_keeps_succeeding() {
    // Half a request per second, three saved up: ten quick requests cannot all pass unless they
    // take more than fourteen seconds.
    try (ProducerApiApp app = app(Map.of("RATE_REQUESTS_PER_SECOND", "0.5", "RATE_REQUESTS_BURST", "3"))) {
      ApiClient a = new ApiClient(app.port(), ApiClient.KEY_A);
      ApiClient b = new ApiClient(app.port(), ApiClient.KEY_B);
      int refused = 0;
      for (int i = 0; i < 10; i++) {
        ApiClient.Answer answer = a.get("/v1/limits");
        if (answer.status() == 429) {
          refused++;
          assertThat(answer.raw().headers().firstValue("Retry-After")).isPresent();
          assertThat(answer.contentType()).startsWith("application/problem+json");
        }
      }
      assertThat(refused).isPositive();
      for (int i = 0; i < 3; i++) {
        assertThat(b.get("/v1/limits").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void submitted_items_are_rate_limited_and_unfinished_items_are_capped_per_tenant() {
    try (ProducerApiApp app = app(Map.of("MAX_BATCH_ITEMS", "10", "RATE_ITEMS_PER_SECOND", "0.01",
        "RATE_ITEMS_BURST", "10", "MAX_QUEUED_ITEMS", "25"))) {
      ApiClient a = new ApiClient(app.port(), ApiClient.KEY_A);
      ApiClient b = new ApiClient(app.port(), ApiClient.KEY_B);
      String ten = Inputs.batchBody("fashion-mnist", Inputs.images(10, 1), null);
      assertThat(a.post("/v1/batch/predict", ten).status()).isEqualTo(202);
      ApiClient.Answer overRate = a.post("/v1/batch/predict", ten);
      assertThat(overRate.status()).isEqualTo(429);
      assertThat(overRate.body().get("detail").asText()).contains("items per second");

      // Tenant B has its own bucket, and its own cap: 10 + 10 fit under 25, a third 10 does not.
      assertThat(b.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(10, 2), null)).status())
          .isEqualTo(202);
    }
    try (ProducerApiApp app = app(Map.of("MAX_BATCH_ITEMS", "10", "MAX_QUEUED_ITEMS", "25"))) {
      ApiClient a = new ApiClient(app.port(), ApiClient.KEY_A);
      String ten = Inputs.batchBody("fashion-mnist", Inputs.images(10, 1), null);
      assertThat(a.post("/v1/batch/predict", ten).status()).isEqualTo(202);
      assertThat(a.post("/v1/batch/predict", ten).status()).isEqualTo(202);
      ApiClient.Answer capped = a.post("/v1/batch/predict", ten);
      assertThat(capped.status()).isEqualTo(429);
      assertThat(capped.body().get("detail").asText()).contains("the cap is 25").doesNotContain("MAX_QUEUED_ITEMS");
    }
  }

  /** What a test does with an API under {@code limits}: tenant A's client, and Redis under the test's prefix. */
  private interface LimitedCheck {
    void run(ApiClient a, dev.batchinfer.store.Redis redis, String prefix);
  }

  private static void withLimits(Map<String, String> limits, LimitedCheck check) {
    TestNamespace ns = TestNamespace.create("limits");
    try (ProducerApiApp app = app(ns, limits);
        dev.batchinfer.store.Redis redis = dev.batchinfer.store.Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix())) {
      check.run(new ApiClient(app.port(), ApiClient.KEY_A), redis, ns.redisKeyPrefix());
    }
  }

  private static final String TEN = Inputs.batchBody("fashion-mnist", Inputs.images(10, 1), null);

  // The cap and the item tokens are asked for at once: whichever is refused must give the other back.
  @Test
  void a_batch_refused_by_the_cap_takes_no_item_tokens() {
    withLimits(Map.of("MAX_BATCH_ITEMS", "10", "RATE_ITEMS_PER_SECOND", "0.01", "RATE_ITEMS_BURST", "30",
        "MAX_QUEUED_ITEMS", "25"), (a, redis, prefix) -> {
      assertThat(a.post("/v1/batch/predict", TEN).status()).isEqualTo(202);
      assertThat(a.post("/v1/batch/predict", TEN).status()).isEqualTo(202);
      String bucket = prefix + "rate:{tenant-a}:items";
      double before = Double.parseDouble(redis.sync().hget(bucket, "tokens"));
      ApiClient.Answer capped = a.post("/v1/batch/predict", TEN);
      assertThat(capped.status()).isEqualTo(429);
      assertThat(capped.body().get("detail").asText()).contains("the cap is 25").doesNotContain("MAX_QUEUED_ITEMS");
      assertThat(Double.parseDouble(redis.sync().hget(bucket, "tokens"))).as("the refused batch's tokens came back")
          .isGreaterThanOrEqualTo(before);
    });
  }

  @Test
  void a_batch_refused_by_the_rate_holds_no_room_under_the_cap() {
    withLimits(Map.of("MAX_BATCH_ITEMS", "10", "RATE_ITEMS_PER_SECOND", "0.01", "RATE_ITEMS_BURST", "15",
        "MAX_QUEUED_ITEMS", "100"), (a, redis, prefix) -> {
      assertThat(a.post("/v1/batch/predict", TEN).status()).isEqualTo(202);
      ApiClient.Answer overRate = a.post("/v1/batch/predict", TEN);
      assertThat(overRate.status()).isEqualTo(429);
      assertThat(overRate.body().get("detail").asText()).contains("items per second");
      assertThat(redis.sync().hgetall(prefix + "tenant:{tenant-a}:active"))
          .as("only the accepted batch holds room under the cap").hasSize(2).containsEntry("~total", "10");
    });
  }
}
