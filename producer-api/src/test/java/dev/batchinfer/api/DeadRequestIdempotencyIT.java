package dev.batchinfer.api;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.api.idempotency.IdempotencyStore;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.PendingBatches;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.Env;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A repeat of a request whose API died while holding the Idempotency-Key. The dead request is simulated: its
 * claim is taken directly (as that API did, naming its batch) and its lease removed (as it lapses when nothing
 * renews it). The real kill -9 of an API during submits is chaos scenario 24.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadRequestIdempotencyIT {
  private Redis storeRedis;

  private final TestNamespace ns = TestNamespace.create("dead-request");
  private ProducerApiApp app;
  private ApiClient api;
  private IdempotencyStore otherApi;
  private BatchStores batches;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> redis;

  @BeforeAll
  void start() {
    Topics topics = Topics.withPrefix(ns.topicPrefix());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    app = ProducerApiApp.create(ApiSettings.from(Env.of(ns.env(Map.of("API_PORT", "0", "MODEL_ARTIFACTS",
        "../model-artifacts", "API_INSTANCE_ID", TestInfra.unique("api"), "API_KEYS", ApiClient.API_KEYS))))).start();
    api = new ApiClient(app.port());
    storeRedis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
    otherApi = new IdempotencyStore(storeRedis, IdempotencyStore.DEFAULT_CLAIM_TTL);
    batches = BatchStores.over(storeRedis);
    redisClient = RedisClient.create(TestInfra.redisUrl());
    redis = redisClient.connect();
  }

  @AfterAll
  void stop() {
    app.close();
    otherApi.close();
    storeRedis.close();
    redis.close();
    redisClient.shutdown();
  }

  @Test
  void a_repeat_after_the_request_died_with_its_batch_accepted_gets_that_batch() {
    String earlier = api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(3, 1), null))
        .body().get("batch_id").asText();
    String key = died(earlier);

    ApiClient.Answer repeat = postWithKey(key);
    assertThat(repeat.status()).isEqualTo(202);
    assertThat(repeat.body().get("batch_id").asText()).as("the batch the dead request had created").isEqualTo(earlier);
    ApiClient.Answer again = postWithKey(key);
    assertThat(again.body().get("batch_id").asText()).isEqualTo(earlier);
    assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
  }

  @Test
  void a_repeat_after_the_request_died_before_its_batch_was_recorded_creates_the_batch() {
    String neverRecorded = UUID.randomUUID().toString();
    String key = died(neverRecorded);

    ApiClient.Answer repeat = postWithKey(key);
    assertThat(repeat.status()).isEqualTo(202);
    String created = repeat.body().get("batch_id").asText();
    assertThat(created).isNotEqualTo(neverRecorded);
    assertThat(postWithKey(key).body().get("batch_id").asText()).as("and the key keeps it").isEqualTo(created);
  }

  @Test
  void a_repeat_while_the_dead_requests_batch_is_still_pending_is_told_to_come_back() {
    String pending = UUID.randomUUID().toString();
    Instant now = Instant.now();
    batches.records().create(BatchRecord.queued(pending, "tenant-a", "fashion-mnist", "2.0.0", Priority.NORMAL, 3, new long[] {0},
        null, List.of(), null, now, now, now.plusSeconds(3600), Duration.ofDays(1)), PendingBatches.Commit.ALONE,
        now.toEpochMilli() + 90_000);
    String key = died(pending);

    ApiClient.Answer repeat = postWithKey(key);
    assertThat(repeat.status()).isEqualTo(409);
    assertThat(repeat.raw().headers().firstValue("Retry-After")).isPresent();
    assertThat(repeat.body().get("detail").asText()).contains("stopped before it answered");
  }

  @Test
  void a_request_still_alive_keeps_its_key() {
    String key = TestInfra.unique("idem");
    assertThat(otherApi.claim("tenant-a", key, UUID.randomUUID().toString()).taken()).isTrue();
    assertThat(postWithKey(key).status()).as("its lease is renewed while it runs").isEqualTo(409);
  }

  /** A key claimed by a request that would create {@code batchId}, whose API then died: its lease is gone. */
  private String died(String batchId) {
    String key = TestInfra.unique("idem");
    try (Redis dyingRedis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
        IdempotencyStore dying = new IdempotencyStore(dyingRedis, IdempotencyStore.DEFAULT_CLAIM_TTL)) {
      assertThat(dying.claim("tenant-a", key, batchId).taken()).isTrue();
    } // closed: nothing renews its lease any more, as when its process is gone
    String redisKey = ns.redisKeyPrefix() + "idempotency:{tenant-a}:" + dev.batchinfer.api.auth.ApiKeys.sha256Hex(key);
    redis.sync().del(redisKey + ":lease"); // what the lease's expiry does a moment later
    return key;
  }

  private ApiClient.Answer postWithKey(String key) {
    return api.exchange("/v1/batch/predict", r -> r.header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Inputs.batchBody("fashion-mnist", Inputs.images(3, 1), null))));
  }
}
