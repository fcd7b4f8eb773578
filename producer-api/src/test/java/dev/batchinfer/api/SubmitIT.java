package dev.batchinfer.api;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.idempotency.IdempotencyStore;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.Env;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The API against a real broker and Redis, with no worker: what reaches Kafka and Redis, and what does not. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitIT {

  private static final int CHUNK_MAX_ITEMS = 1000;
  private static final int CHUNK_MAX_BYTES = 200_000;

  private final TestNamespace ns = TestNamespace.create("submit");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private ProducerApiApp app;
  private ApiClient api;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> redis;

  @BeforeAll
  void start() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    Env env = Env.of(ns.env(Map.of(
        "API_PORT", "0",
        "MODEL_ARTIFACTS", "../model-artifacts",
        "API_INSTANCE_ID", TestInfra.unique("api"),
        "API_KEYS", ApiClient.API_KEYS,
        "MAX_REQUEST_MB", "8",
        "RATE_REQUESTS_PER_SECOND", "100000",
        "CHUNK_MAX_ITEMS", Integer.toString(CHUNK_MAX_ITEMS),
        "CHUNK_MAX_BYTES", Integer.toString(CHUNK_MAX_BYTES))));
    app = ProducerApiApp.create(ApiSettings.from(env)).start();
    api = new ApiClient(app.port());
    redisClient = RedisClient.create(TestInfra.redisUrl());
    redis = redisClient.connect();
  }

  @AfterAll
  void stop() {
    app.close();
    redis.close();
    redisClient.shutdown();
  }

  @Test
  void accepted_batch_has_every_chunk_committed_bounded_and_in_order() {
    byte[][] images = Inputs.images(2_500, 7);
    ApiClient.Answer answer = api.post("/v1/batch/predict",
        Inputs.batchBody("fashion-mnist", images, "\"priority\":\"low\",\"metadata\":{\"job\":\"nightly\"}"));

    assertThat(answer.status()).isEqualTo(202);
    String batchId = answer.body().get("batch_id").asText();
    assertThat(answer.body().get("status").asText()).isEqualTo("queued");
    assertThat(answer.body().at("/progress/total").asLong()).isEqualTo(2_500);
    assertThat(answer.body().at("/progress/completed").asLong()).isZero();
    assertThat(answer.body().at("/usage/items").asLong()).isEqualTo(2_500);
    assertThat(answer.body().at("/usage/input_bytes").asLong()).isEqualTo(2_500L * 784);
    assertThat(answer.body().get("created").asText()).isNotEmpty();
    assertThat(answer.body().get("estimated_completion").asText()).isNotEmpty();
    assertThat(answer.raw().headers().firstValue("Location")).hasValue("/v1/batch/" + batchId + "/status");

    // The commit is durable when the API answers; the markers that make it visible to
    // read_committed consumers reach each partition a moment later (Kafka writes them after EndTxn).
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      records.clear();
      for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(topics.requests(Priority.LOW).name(), true)) {
        if (ChunkCodec.decode(r.value()).header().batchId().equals(batchId)) {
          records.add(r);
        }
      }
      assertThat(records).hasSize((2_500 + 250) / 251);
    });
    List<InferenceChunk> chunks = records.stream().map(r -> ChunkCodec.decode(r.value()))
        .sorted(Comparator.comparingInt(c -> c.header().chunkIndex())).toList();
    // 200,000-byte records hold at most (200000 - header) / (784 + 12) = 251 items: the byte bound rules.
    assertThat(chunks).hasSize((2_500 + 250) / 251);
    assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(CHUNK_MAX_BYTES));
    long next = 0;
    for (InferenceChunk c : chunks) {
      assertThat(c.header().chunkCount()).isEqualTo(chunks.size());
      assertThat(c.header().totalItems()).isEqualTo(2_500);
      assertThat(c.header().modelVersion()).isEqualTo("2.0.0"); // registry.yaml production
      for (int i = 0; i < c.itemCount(); i++) {
        assertThat(c.itemIndex(i)).isEqualTo(next);
        byte[] payload = new byte[c.payloadLength(i)];
        c.payload(i).get(payload);
        assertThat(payload).isEqualTo(images[(int) next]);
        next++;
      }
    }
    assertThat(next).isEqualTo(2_500);

    ApiClient.Answer status = api.get("/v1/batch/" + batchId + "/status");
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.body().get("status").asText()).isEqualTo("queued");
    assertThat(status.body().at("/metadata/job").asText()).isEqualTo("nightly");
    ApiClient.Answer results = api.get("/v1/batch/" + batchId + "/results?offset=10&limit=5");
    assertThat(results.body().get("returned").asInt()).isZero();
    assertThat(results.body().get("pending").asInt()).isEqualTo(5);
    assertThat(results.body().get("next_offset").asLong()).isEqualTo(15);
  }

  static Stream<Arguments> badRequests() {
    String image = "{\"pixels\":[" + "0,".repeat(783) + "0]}";
    return Stream.of(
        Arguments.of("malformed JSON", "{\"model\": \"fashion-mnist\", \"inputs\": [", ""),
        Arguments.of("not an object", "[1,2,3]", ""),
        Arguments.of("unknown model", "{\"model\":\"no-such-model\",\"inputs\":[" + image + "]}", "/model"),
        Arguments.of("missing model", "{\"inputs\":[" + image + "]}", "/model"),
        Arguments.of("wrong input shape", "{\"model\":\"fashion-mnist\",\"inputs\":[" + image + ",{\"pixels\":[1,2,3]}]}",
            "/inputs/1/pixels"),
        Arguments.of("wrong input type", "{\"model\":\"fashion-mnist\",\"inputs\":[{\"pixels\":[" + "\"a\"," + "0,".repeat(782) + "0]}]}",
            "/inputs/0/pixels/0"),
        Arguments.of("value out of range", "{\"model\":\"fashion-mnist\",\"inputs\":[{\"pixels\":[" + "0,".repeat(5) + "256," + "0,".repeat(777) + "0]}]}",
            "/inputs/0/pixels/5"),
        Arguments.of("inputs not objects", "{\"model\":\"fashion-mnist\",\"inputs\":[[1,2]]}", "/inputs/0"),
        Arguments.of("empty inputs", "{\"model\":\"fashion-mnist\",\"inputs\":[]}", "/inputs"),
        Arguments.of("unknown priority", "{\"model\":\"fashion-mnist\",\"priority\":\"urgent\",\"inputs\":[" + image + "]}", "/priority"),
        Arguments.of("callback not http", "{\"model\":\"fashion-mnist\",\"callback_url\":\"ftp://x\",\"inputs\":[" + image + "]}", "/callback_url"),
        Arguments.of("callback to loopback", callback("https://127.0.0.1/hook", image), "/callback_url"),
        Arguments.of("callback to decimal loopback", callback("https://2130706433/hook", image), "/callback_url"),
        Arguments.of("callback to octal loopback", callback("https://0177.0.0.1/hook", image), "/callback_url"),
        Arguments.of("callback to mapped loopback", callback("https://[::ffff:127.0.0.1]/hook", image), "/callback_url"),
        Arguments.of("callback to ipv6 loopback", callback("https://[::1]/hook", image), "/callback_url"),
        Arguments.of("callback to localhost.", callback("https://localhost./hook", image), "/callback_url"),
        Arguments.of("callback with userinfo", callback("https://hooks.example.com@127.0.0.1/hook", image), "/callback_url"),
        Arguments.of("callback to metadata", callback("https://169.254.169.254/latest/meta-data/", image), "/callback_url"),
        Arguments.of("callback to private", callback("https://10.1.2.3/hook", image), "/callback_url"),
        Arguments.of("callback over http", callback("http://hooks.example.com/hook", image), "/callback_url"),
        Arguments.of("unknown callback event", "{\"model\":\"fashion-mnist\",\"callback_events\":[\"batch.done\"],\"inputs\":[" + image + "]}",
            "/callback_events/0"));
  }

  private static String callback(String url, String image) {
    return "{\"model\":\"fashion-mnist\",\"callback_url\":\"" + url + "\",\"inputs\":[" + image + "]}";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void bad_request_answers_400_problem_naming_the_field_and_leaves_nothing_behind(String why, String body, String field) {
    long keysBefore = redisKeys();
    long recordsBefore = allRequestRecords();

    ApiClient.Answer answer = api.post("/v1/batch/predict", body);

    assertThat(answer.status()).as(why).isEqualTo(400);
    assertThat(answer.contentType()).startsWith("application/problem+json");
    assertThat(answer.body().get("status").asInt()).isEqualTo(400);
    assertThat(answer.body().get("type").asText()).isNotEmpty();
    assertThat(answer.body().get("title").asText()).isNotEmpty();
    assertThat(answer.body().get("detail").asText()).isNotEmpty();
    assertThat(answer.body().get("request_id").asText()).isEqualTo(answer.raw().headers().firstValue("X-Request-Id").orElseThrow());
    if (!field.isEmpty()) {
      assertThat(answer.body().get("field").asText()).isEqualTo(field);
    }
    assertThat(allRequestRecords()).as("records on the request topics").isEqualTo(recordsBefore);
    assertThat(redisKeys()).as("batch records in Redis").isEqualTo(keysBefore);
  }

  @Test
  void a_batch_of_one_chunk_is_one_plain_record_without_a_transaction() {
    long before = allRequestRecords();
    ApiClient.Answer answer = api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(3, 11), null));

    assertThat(answer.status()).isEqualTo(202);
    String batchId = answer.body().get("batch_id").asText();
    // Durable and visible when the API answers: a plain record waits for no commit marker.
    List<InferenceChunk> mine = TopicReader.readAll(topics.requests(Priority.NORMAL).name(), true).stream()
        .map(r -> ChunkCodec.decode(r.value())).filter(c -> c.header().batchId().equals(batchId)).toList();
    assertThat(mine).hasSize(1);
    assertThat(mine.get(0).header().chunkCount()).isEqualTo(1);
    assertThat(mine.get(0).header().totalItems()).isEqualTo(3);
    // One offset, the record's: a transaction would have taken a second one for its commit marker.
    assertThat(allRequestRecords() - before).isEqualTo(1);
  }

  @Test
  void unknown_batch_answers_404_problem() {
    ApiClient.Answer status = api.get("/v1/batch/00000000-0000-0000-0000-000000000000/status");
    ApiClient.Answer results = api.get("/v1/batch/00000000-0000-0000-0000-000000000000/results");
    for (ApiClient.Answer a : List.of(status, results)) {
      assertThat(a.status()).isEqualTo(404);
      assertThat(a.contentType()).startsWith("application/problem+json");
      assertThat(a.body().get("detail").asText()).contains("00000000-0000-0000-0000-000000000000");
    }
  }

  @Test
  void results_paging_parameters_are_validated() {
    String id = api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(3, 1), null))
        .body().get("batch_id").asText();
    ApiClient.Answer answer = api.get("/v1/batch/" + id + "/results?limit=0");
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("field").asText()).isEqualTo("limit");
  }

  @Test
  void another_tenants_batches_look_exactly_like_missing_ones() {
    ApiClient tenantB = api.withKey(ApiClient.KEY_B);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(1, i), null))
          .body().get("batch_id").asText());
    }
    for (int i = 0; i < 20; i++) {
      ids.add(java.util.UUID.randomUUID().toString());
    }
    for (String id : ids) {
      for (String path : List.of("/status", "/results", "/callbacks")) {
        ApiClient.Answer b = tenantB.get("/v1/batch/" + id + path);
        assertThat(b.status()).as(path).isEqualTo(404);
        assertThat(b.body().get("detail").asText()).isEqualTo("no batch with id " + id);
      }
      assertThat(tenantB.post("/v1/batch/" + id + "/callbacks/redeliver", "").status()).isEqualTo(404);
      assertThat(tenantB.post("/v1/batch/" + id + "/cancel", "").status()).isEqualTo(404);
      assertThat(tenantB.get("/v1/batch/" + id + "/events").status()).isEqualTo(404);
    }
    assertThat(api.get("/v1/batch/" + ids.get(0) + "/status").status()).isEqualTo(200);
  }

  @Test
  void a_missing_or_unknown_api_key_answers_401_problem() {
    for (ApiClient client : List.of(api.withKey(null), api.withKey("not-a-key"))) {
      ApiClient.Answer a = client.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(1, 1), null));
      assertThat(a.status()).isEqualTo(401);
      assertThat(a.contentType()).startsWith("application/problem+json");
      assertThat(a.raw().headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }
    assertThat(api.withKey(null).get("/health").status()).isEqualTo(200);
  }

  private ApiClient.Answer postWithKey(String key, String body) {
    return api.exchange("/v1/batch/predict", r -> r.header("Idempotency-Key", key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void the_same_idempotency_key_and_body_replays_the_first_response_and_creates_nothing() {
    String key = TestInfra.unique("idem");
    String body = Inputs.batchBody("fashion-mnist", Inputs.images(3, 11), null);
    ApiClient.Answer first = postWithKey(key, body);
    long records = allRequestRecords();
    long keys = redisKeys();

    ApiClient.Answer again = postWithKey(key, body);

    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(allRequestRecords()).isEqualTo(records);
    assertThat(redisKeys()).isEqualTo(keys);
    // Scoped per tenant: tenant B's identical key is a different request.
    ApiClient.Answer other = api.withKey(ApiClient.KEY_B).exchange("/v1/batch/predict", r -> r
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(other.body().get("batch_id").asText()).isNotEqualTo(first.body().get("batch_id").asText());
  }

  @Test
  void the_same_idempotency_key_with_another_body_is_422_and_an_overlong_key_is_400() {
    String key = TestInfra.unique("idem");
    assertThat(postWithKey(key, Inputs.batchBody("fashion-mnist", Inputs.images(1, 1), null)).status()).isEqualTo(202);
    ApiClient.Answer changed = postWithKey(key, Inputs.batchBody("fashion-mnist", Inputs.images(1, 2), null));
    assertThat(changed.status()).isEqualTo(422);
    assertThat(changed.body().get("field").asText()).isEqualTo("Idempotency-Key");
    ApiClient.Answer tooLong = postWithKey("k".repeat(256), Inputs.batchBody("fashion-mnist", Inputs.images(1, 1), null));
    assertThat(tooLong.status()).isEqualTo(400);
  }

  @Test
  void a_key_whose_first_request_is_still_running_answers_409() {
    String key = TestInfra.unique("idem");
    // The first request holds the claim (here: taken directly, as another API instance would).
    try (Redis shared = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
        IdempotencyStore store = new IdempotencyStore(shared, IdempotencyStore.DEFAULT_CLAIM_TTL)) {
      IdempotencyStore.Claim claim = store.claim("tenant-a", key);
      assertThat(claim.taken()).isTrue();
      ApiClient.Answer second = postWithKey(key, Inputs.batchBody("fashion-mnist", Inputs.images(1, 1), null));
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.raw().headers().firstValue("Retry-After")).isPresent();
      store.release(claim);
    }
    assertThat(postWithKey(key, Inputs.batchBody("fashion-mnist", Inputs.images(1, 1), null)).status()).isEqualTo(202);
  }

  @Test
  void a_claim_outlasts_the_longest_upload_and_only_its_own_request_completes_or_releases_it() {
    Duration upload = Duration.ofMinutes(14);
    Duration ttl = IdempotencyStore.claimTtl(upload, Duration.ofSeconds(10));
    assertThat(ttl).isGreaterThan(upload.plusSeconds(20));
    String key = TestInfra.unique("idem");
    String redisKey = ns.redisKeyPrefix() + "idempotency:{tenant-a}:" + dev.batchinfer.api.auth.ApiKeys.sha256Hex(key);
    try (Redis shared = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
        IdempotencyStore store = new IdempotencyStore(shared, ttl)) {
      IdempotencyStore.Claim first = store.claim("tenant-a", key);
      assertThat(first.taken()).isTrue();
      assertThat(redis.sync().pttl(redisKey)).isGreaterThan(upload.plusSeconds(20).toMillis());

      redis.sync().del(redisKey); // the first request's claim lapsed; a repeat takes the key
      IdempotencyStore.Claim second = store.claim("tenant-a", key);
      assertThat(second.taken()).isTrue();
      assertThat(store.complete(first, "hash-1", 202, "/v1/batch/one/status", "{\"batch_id\":\"one\"}")).isFalse();
      assertThat(store.release(first)).isFalse();
      assertThat(store.claim("tenant-a", key).held().inFlight()).as("the second request still holds the key").isTrue();

      assertThat(store.complete(second, "hash-2", 202, "/v1/batch/two/status", "{\"batch_id\":\"two\"}")).isTrue();
      IdempotencyStore.Entry kept = store.claim("tenant-a", key).held();
      assertThat(kept.inFlight()).isFalse();
      assertThat(kept.bodyHash()).isEqualTo("hash-2");
      assertThat(redis.sync().ttl(redisKey)).isGreaterThan(Duration.ofHours(23).toSeconds());
    }
  }

  @Test
  void an_oversized_body_is_413_with_or_without_content_length() {
    byte[] big = new byte[9 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    ApiClient.Answer declared = api.exchange("/v1/batch/predict", r -> r.POST(HttpRequest.BodyPublishers.ofByteArray(big)));
    assertThat(declared.status()).isEqualTo(413);
    ApiClient.Answer chunked = api.exchange("/v1/batch/predict", r -> r.POST(
        HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
    assertThat(chunked.status()).isEqualTo(413);
    assertThat(chunked.contentType()).startsWith("application/problem+json");
  }

  @Test
  void refusing_a_huge_body_without_content_length_does_not_grow_the_heap_with_it() {
    long attempted = 300L * 1024 * 1024; // generated on the fly; never in memory on either side
    List<java.lang.management.MemoryPoolMXBean> heap = java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
        .stream().filter(b -> b.getType() == java.lang.management.MemoryType.HEAP).toList();
    System.gc();
    heap.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
    long before = heap.stream().mapToLong(b -> b.getUsage().getUsed()).sum();

    ApiClient.Answer answer = api.exchange("/v1/batch/predict", r -> r.POST(
        HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.InputStream() {
          private long left = attempted;

          @Override
          public int read() {
            return left-- > 0 ? ' ' : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) ' ');
            left -= n;
            return n;
          }
        })));

    long peak = heap.stream().mapToLong(b -> b.getPeakUsage().getUsed()).sum();
    assertThat(answer.status()).isEqualTo(413);
    // The whole test JVM (broker included) may allocate meanwhile; a buffered body alone would be 300 MB.
    assertThat(peak - before).isLessThan(attempted / 3);
  }

  @Test
  void a_tenant_lists_its_own_batches_newest_first_page_by_page() {
    ApiClient c = api.withKey(ApiClient.KEY_B);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(0, c.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(1, i), null))
          .body().get("batch_id").asText());
    }
    List<String> listed = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = c.get("/v1/batches?limit=2&status=queued&model=fashion-mnist" + (after == null ? "" : "&after=" + after)).body();
      page.get("data").forEach(b -> listed.add(b.get("batch_id").asText()));
      after = page.get("next_after").isNull() ? null : page.get("next_after").asText();
    } while (after != null);
    assertThat(listed).containsAll(ids);
    assertThat(listed.subList(0, 5)).containsExactlyElementsOf(ids); // newest first
    // Tenant A's list holds none of them.
    JsonNode aList = api.get("/v1/batches?limit=100").body();
    aList.get("data").forEach(b -> assertThat(ids).doesNotContain(b.get("batch_id").asText()));
    assertThat(c.get("/v1/batches?status=finished").status()).isEqualTo(400);
  }

  @Test
  void queue_position_and_estimate_follow_the_work_ahead_and_the_measured_throughput() {
    String body = Inputs.batchBody("fashion-mnist", Inputs.images(50, 3), null);
    JsonNode first = api.post("/v1/batch/predict", body).body();
    JsonNode second = api.post("/v1/batch/predict", body).body();
    JsonNode urgent = api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(5, 4),
        "\"priority\":\"high\"")).body();
    String secondId = second.get("batch_id").asText();
    JsonNode firstNow = api.get("/v1/batch/" + first.get("batch_id").asText() + "/status").body();
    JsonNode secondNow = api.get("/v1/batch/" + secondId + "/status").body();
    assertThat(secondNow.get("queue_position").asLong()).isEqualTo(firstNow.get("queue_position").asLong() + 1);
    // The 202 counts what stood ahead as the batch was recorded. Nothing has run since; the urgent
    // batch, sent later, went ahead of both.
    assertThat(second.get("queue_position").asLong()).isEqualTo(first.get("queue_position").asLong() + 1);
    assertThat(firstNow.get("queue_position").asLong()).isEqualTo(first.get("queue_position").asLong() + 1);
    assertThat(api.get("/v1/batch/" + urgent.get("batch_id").asText() + "/status").body().get("queue_position").asLong())
        .isLessThan(firstNow.get("queue_position").asLong());
    java.time.Instant before = java.time.Instant.parse(secondNow.get("estimated_completion").asText());

    // Workers report a slow model (a few items per second): the estimate moves out accordingly.
    try (Redis shared = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix())) {
      var telemetry = new dev.batchinfer.store.model.ModelTelemetry(shared);
      telemetry.countItems("fashion-mnist", second.get("model_version").asText(), "b1", 0, 600, 0, System.currentTimeMillis()).toCompletableFuture().join();
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      java.time.Instant after = java.time.Instant.parse(
          api.get("/v1/batch/" + secondId + "/status").body().get("estimated_completion").asText());
      assertThat(after).isAfter(before.plusSeconds(5));
    });
  }

  @Test
  void limits_are_published() {
    JsonNode limits = api.get("/v1/limits").body();
    assertThat(limits.get("max_request_bytes").asLong()).isEqualTo(8L * 1024 * 1024);
    assertThat(limits.get("chunk_max_items").asInt()).isEqualTo(CHUNK_MAX_ITEMS);
    assertThat(limits.at("/models/fashion-mnist@1.0.0/item_bytes").asInt()).isEqualTo(784);
  }

  @Test
  void the_openapi_document_describes_exactly_the_routes_the_server_registers() throws Exception {
    ApiClient.Answer doc = api.withKey(null).get("/openapi.json");
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.body().get("openapi").asText()).isEqualTo("3.1.0");
    List<String> documented = new ArrayList<>();
    doc.body().get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
        .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey())));
    assertThat(documented).containsExactlyInAnyOrderElementsOf(app.routes());
    // Every documented error is a problem document.
    doc.body().get("paths").forEach(path -> path.forEach(op -> op.get("responses").fields().forEachRemaining(r -> {
      if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
        assertThat(r.getValue().at("/content/application~1problem+json/schema/$ref").asText())
            .isEqualTo("#/components/schemas/Problem");
      }
    })));
  }

  /** Moves with everything a producer wrote, aborted transactions included, once their markers are written. */
  private long allRequestRecords() {
    return Stream.of(Priority.values()).mapToLong(p -> TopicReader.settledEndOffsetTotal(topics.requests(p).name())).sum();
  }

  private long redisKeys() {
    return redis.sync().keys(ns.redisKeyPrefix() + "batch:*").size();
  }
}
