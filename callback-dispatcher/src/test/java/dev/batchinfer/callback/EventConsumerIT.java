package dev.batchinfer.callback;

import dev.batchinfer.store.Redis;
import static dev.batchinfer.callback.ScriptedReceiver.Reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.embedded.EmbeddedRedis;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.webhook.Delivery;
import dev.batchinfer.store.webhook.DeliveryStatus;
import dev.batchinfer.store.webhook.WebhookStore;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.Env;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event consumer when scheduling a webhook fails: on the real broker, against a redis-server of
 * this test's own that it can restrict (ACL) or stop (SIGSTOP), with a receiver that always answers 200.
 */
class EventConsumerIT {
  private Redis storeRedis;

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  /** Batch ids the dispatcher's Redis user may not touch until the test lifts the restriction. */
  private static final String HELD = "held-";

  private final TestNamespace ns = TestNamespace.create("events");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private EmbeddedRedis redis;
  private RedisClient adminClient;
  private StatefulRedisConnection<String, String> admin;
  private BatchStores batches;
  private WebhookStore webhooks;
  private KafkaProducer<byte[], byte[]> producer;
  private ScriptedReceiver receiver;
  private CallbackDispatcherApp dispatcher;

  @BeforeEach
  void start() {
    try (Admin kafkaAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(kafkaAdmin, topics, (short) 1);
    }
    redis = EmbeddedRedis.start(0);
    adminClient = RedisClient.create(redis.url());
    admin = adminClient.connect();
    storeRedis = Redis.connect(redis.url(), ns.redisKeyPrefix());
    batches = BatchStores.over(storeRedis);
    webhooks = new WebhookStore(storeRedis);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
    receiver = new ScriptedReceiver("127.0.0.1", Reply.status(200));
  }

  @AfterEach
  void stop() throws Exception {
    if (redis != null && redis.isRunning()) {
      signal("CONT", redis.pid()); // never leave a stopped server behind
    }
    if (dispatcher != null) {
      dispatcher.close();
    }
    receiver.close();
    producer.close();
    storeRedis.close();
    admin.close();
    adminClient.shutdown();
    redis.close();
  }

  @Test
  void an_event_that_cannot_be_scheduled_holds_back_its_own_partition_only_and_is_delivered_once_later() {
    // The dispatcher's user may use every key but those of batches named held-*: reading such a batch
    // fails with NOPERM, as a Redis whose ACL is being fixed would answer, until the test grants it.
    String p = ns.redisKeyPrefix();
    admin.sync().aclSetuser("dispatcher", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("pw").allCommands()
        .keyPattern(p + "[^b]*").keyPattern(p + "batch:{[^h]*"));
    startDispatcher("redis://dispatcher:pw@127.0.0.1:" + redis.port());
    String held = completedBatch(HELD + UUID.randomUUID(), 1);
    List<String> others = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      others.add(completedBatch(UUID.randomUUID().toString(), 2 * (i % 2)));
    }
    // More while the held event is being retried: each poll then mixes its partition with the others.
    for (int i = 0; i < 10; i++) {
      await().pollDelay(Duration.ofMillis(150)).until(() -> true);
      others.add(completedBatch(UUID.randomUUID().toString(), 2 * (i % 2)));
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(others).allSatisfy(id ->
        assertThat(statusOf(id)).as("batch %s", id).isEqualTo(DeliveryStatus.DELIVERED.wire())));
    assertThat(statusOf(held)).isEqualTo("absent");

    admin.sync().aclSetuser("dispatcher", io.lettuce.core.AclSetuserArgs.Builder.allKeys());
    await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(held)));
    List<String> all = new ArrayList<>(others);
    all.add(held);
    assertDeliveredOnceEach(all);
  }

  @Test
  void a_redis_outage_pauses_every_partition_and_each_event_is_delivered_once_after_it() throws Exception {
    startDispatcher(redis.url() + "?timeout=1s");
    List<String> ids = new ArrayList<>();
    for (int partition = 0; partition < 3; partition++) {
      ids.add(completedBatch(UUID.randomUUID().toString(), partition));
    }
    // Running and assigned every partition: each warm-up event was scheduled and delivered.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ids).allSatisfy(id ->
        assertThat(statusOf(id)).isEqualTo(DeliveryStatus.DELIVERED.wire())));

    List<String> duringOutage = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      duringOutage.add(UUID.randomUUID().toString());
      batches.records().create(batch(duringOutage.get(i)));
    }
    signal("STOP", redis.pid());
    for (int i = 0; i < 3; i++) {
      publishCompletion(duringOutage.get(i), i);
    }
    // The outage lasts several command timeouts, long enough for every partition to fail and retry.
    await().pollDelay(Duration.ofSeconds(5)).until(() -> true);
    signal("CONT", redis.pid());

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(duringOutage).allSatisfy(id ->
        assertThat(statusOf(id)).as("batch %s", id).isEqualTo(DeliveryStatus.DELIVERED.wire())));
    ids.addAll(duringOutage);
    assertDeliveredOnceEach(ids);
    assertThat(TopicReader.readAll(topics.webhooksDeadLetter().name(), false)).isEmpty();
  }

  private void startDispatcher(String redisUrl) {
    Map<String, String> env = new HashMap<>(ns.env(Map.of(
        "WEBHOOK_SECRETS", SECRET,
        "CALLBACK_ALLOW_HTTP", "true",
        "CALLBACK_ALLOWED_CIDRS", "127.0.0.1/32",
        "CALLBACK_RETRY_SCHEDULE", "0s,300ms,300ms")));
    env.put("REDIS_URL", redisUrl);
    dispatcher = CallbackDispatcherApp.create(DispatcherSettings.from(Env.of(env)), new Metrics()).start();
  }

  private BatchRecord batch(String id) {
    return BatchRecord.queued(id, "tenant-a", "fashion-mnist", "1.0.0", Priority.NORMAL, 10, new long[] {0},
        receiver.url("/hook"), BatchEvent.DEFAULT_TYPES, "{\"k\":\"v\"}", Instant.now(), Instant.now(),
        Instant.now().plusSeconds(3600), Duration.ofDays(1));
  }

  /** A finished batch whose completion event is on the given partition of the events topic. */
  private String completedBatch(String id, int partition) {
    batches.records().create(batch(id));
    publishCompletion(id, partition);
    return id;
  }

  private void publishCompletion(String id, int partition) {
    var t = topics.batchEvents();
    BatchEvent event = BatchEvent.of(id, BatchStatus.COMPLETED, 10, 0, 10, System.currentTimeMillis());
    producer.send(new ProducerRecord<>(t.name(), partition, t.keySerde().serializer().serialize(t.name(), id),
        t.valueSerde().serializer().serialize(t.name(), event)));
    producer.flush();
  }

  private String statusOf(String batchId) {
    return webhooks.find(batchId, "batch.completed").map(d -> d.status().wire()).orElse("absent");
  }

  private void assertDeliveredOnceEach(List<String> batchIds) {
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> receiver.received().size() == batchIds.size());
    Map<String, Long> perWebhookId = receiver.received().stream()
        .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
    assertThat(perWebhookId).isEqualTo(batchIds.stream()
        .collect(Collectors.toMap(id -> id + ":batch.completed", id -> 1L)));
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
  }
}
