package dev.batchinfer.callback;

import dev.batchinfer.store.Redis;
import static dev.batchinfer.callback.ScriptedReceiver.Reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.callback.sign.WebhookSigner;
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
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.message.WebhookDeadLetter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dispatcher against real Kafka and Redis and local receivers that misbehave on purpose. */
class WebhookDeliveryIT {
  private Redis storeRedis;

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestNamespace ns = TestNamespace.create("webhooks");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private final Map<String, String> env = new HashMap<>(ns.env(Map.of(
      "WEBHOOK_SECRETS", SECRET,
      "CALLBACK_ALLOW_HTTP", "true",
      "CALLBACK_ALLOWED_CIDRS", "127.0.0.1/32",
      "CALLBACK_RETRY_SCHEDULE", "0s,300ms,300ms",
      "CALLBACK_TIMEOUT", "2s")));
  private BatchStores batches;
  private WebhookStore webhooks;
  private KafkaProducer<byte[], byte[]> producer;
  private CallbackDispatcherApp dispatcher;
  private final Metrics metrics = new Metrics();

  @BeforeEach
  void start() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    CommonSettings common = CommonSettings.from(Env.of(env));
    storeRedis = Redis.connect(common.redisUrl(), common.redisKeyPrefix());
    batches = BatchStores.over(storeRedis);
    webhooks = new WebhookStore(storeRedis);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    producer.close();
    storeRedis.close();
    metrics.close();
  }

  private double attempts(String outcome, String statusClass) {
    var found = metrics.registry().find("batchinfer.dispatcher.attempts").tag("outcome", outcome)
        .tag("status_class", statusClass).counter();
    return found == null ? 0 : found.count();
  }

  private void startDispatcher() {
    dispatcher = CallbackDispatcherApp.create(DispatcherSettings.from(Env.of(env)), metrics).start();
  }

  /** A finished batch whose completion event is on the events topic. */
  private String completedBatch(String callbackUrl) {
    String id = UUID.randomUUID().toString();
    batches.records().create(BatchRecord.queued(id, "tenant-a", "fashion-mnist", "1.0.0", Priority.NORMAL, 10, new long[] {0}, callbackUrl,
        BatchEvent.DEFAULT_TYPES, "{\"k\":\"v\"}", Instant.now(), Instant.now(), Instant.now().plusSeconds(3600),
        java.time.Duration.ofDays(1)));
    BatchEvent event = BatchEvent.of(id, BatchStatus.COMPLETED, 10, 0, 10, System.currentTimeMillis());
    var t = topics.batchEvents();
    producer.send(new ProducerRecord<>(t.name(), t.keySerde().serializer().serialize(t.name(), id),
        t.valueSerde().serializer().serialize(t.name(), event)));
    producer.flush();
    return id;
  }

  /** For waiting: the delivery may not exist yet. */
  private String statusOf(String batchId) {
    return webhooks.find(batchId, "batch.completed").map(d -> d.status().wire()).orElse("absent");
  }

  private Delivery delivery(String batchId) {
    return webhooks.find(batchId, "batch.completed").orElseThrow();
  }

  @Test
  void two_failures_then_success_are_three_signed_attempts_with_one_webhook_id_delivered_once() throws Exception {
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(200), Reply.status(500), Reply.status(500))) {
      startDispatcher();
      String id = completedBatch(receiver.url("/hook"));

      await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.find(id, "batch.completed")
          .map(d -> d.status().equals(DeliveryStatus.DELIVERED)).orElse(false));
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 3);

      WebhookSigner verifier = new WebhookSigner(List.of(SECRET));
      for (ScriptedReceiver.Received r : receiver.received()) {
        assertThat(r.header("webhook-id")).isEqualTo(id + ":batch.completed");
        long ts = Long.parseLong(r.header("webhook-timestamp"));
        assertThat(verifier.verify(r.header("webhook-id"), ts, r.body(), r.header("webhook-signature"),
            Instant.now(), Duration.ofMinutes(5))).isTrue();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo("batch.completed");
        assertThat(body.at("/data/batch_id").asText()).isEqualTo(id);
        assertThat(r.body().length()).isLessThan(20_000);
      }
      assertThat(delivery(id).attempts()).isEqualTo(3);
      assertThat(webhooks.attempts(id)).extracting(a -> JSON.readTree(a).get("status_code").asInt())
          .containsExactly(500, 500, 200);
      assertThat(attempts("retry", "5xx")).isEqualTo(2);
      assertThat(attempts("delivered", "2xx")).isEqualTo(1);
      assertThat(metrics.registry().get("batchinfer.dispatcher.retries.scheduled").counter().count()).isEqualTo(2);
      assertThat(metrics.registry().get("batchinfer.dispatcher.attempt.duration").timer().count()).isEqualTo(3);
    }
  }

  @Test
  void log_lines_name_the_callback_url_without_its_query_string() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.batchinfer.callback");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    // Fails once, so both the failed and the delivered attempt are logged.
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(200), Reply.status(500))) {
      startDispatcher();
      String id = completedBatch(receiver.url("/hook?token=s3cret-token"));
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(id)));
      assertThat(receiver.received().get(0).header("webhook-id")).isEqualTo(id + ":batch.completed");
      assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .filteredOn(m -> m.contains(id)).hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(m -> assertThat(m).contains(receiver.url("/hook")).doesNotContain("s3cret-token").doesNotContain("?"));
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void a_tenant_with_its_own_secret_gets_webhooks_signed_with_it() throws Exception {
    String own = WebhookSigner.newSecret(new java.security.SecureRandom());
    env.put("TENANT_WEBHOOK_SECRETS", "tenant-a=" + own + ";tenant-z=" + SECRET);
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(200))) {
      startDispatcher();
      String id = completedBatch(receiver.url("/hook")); // a batch of tenant-a
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(id)));
      ScriptedReceiver.Received r = receiver.received().get(0);
      long ts = Long.parseLong(r.header("webhook-timestamp"));
      assertThat(new WebhookSigner(List.of(own)).verify(r.header("webhook-id"), ts, r.body(),
          r.header("webhook-signature"), Instant.now(), Duration.ofMinutes(5))).isTrue();
      assertThat(new WebhookSigner(List.of(SECRET)).verify(r.header("webhook-id"), ts, r.body(),
          r.header("webhook-signature"), Instant.now(), Duration.ofMinutes(5))).isFalse();
    }
  }

  @Test
  void gone_stops_retries_for_that_endpoint() {
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(410))) {
      startDispatcher();
      String first = completedBatch(receiver.url("/hook"));
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.FAILED.wire().equals(statusOf(first)));
      String second = completedBatch(receiver.url("/hook"));
      await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.find(second, "batch.completed")
          .map(d -> DeliveryStatus.FAILED.equals(d.status())).orElse(false));

      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 1);
      assertThat(delivery(first).attempts()).isEqualTo(1);
      assertThat(delivery(second).lastResult()).contains("410");
    }
  }

  @Test
  void retry_after_delays_the_next_attempt_by_at_least_that_long() {
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(200),
        Reply.status(429, "Retry-After", "2"))) {
      startDispatcher();
      String id = completedBatch(receiver.url("/hook"));
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(id)));
      List<ScriptedReceiver.Received> got = receiver.received();
      assertThat(got).hasSize(2);
      assertThat(Duration.ofNanos(got.get(1).atNanos() - got.get(0).atNanos())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }
  }

  @Test
  void a_receiver_that_never_succeeds_ends_in_the_dead_letter_topic_and_redelivery_sends_it_again() {
    // Fails every attempt of the schedule; answers 204 once the client has fixed it and redelivers.
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(204),
        Reply.status(503), Reply.status(503), Reply.status(503))) {
      startDispatcher();
      String id = completedBatch(receiver.url("/hook"));
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.FAILED.wire().equals(statusOf(id)));
      assertThat(receiver.received()).hasSize(3);
      assertThat(webhooks.attempts(id)).hasSize(3);
      assertThat(attempts("failed", "5xx")).isEqualTo(1);
      assertThat(metrics.registry().get("batchinfer.dispatcher.dead.letters").counter().count()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
          TopicReader.readAll(topics.webhooksDeadLetter().name(), false))
          .extracting(r -> JSON.readValue(r.value(), WebhookDeadLetter.class).eventId())
          .containsExactly(id + ":batch.completed"));

      assertThat(webhooks.redeliver(id, System.currentTimeMillis())).isEqualTo(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(id)));
      assertThat(receiver.received()).hasSize(4);
      assertThat(receiver.received().get(3).header("webhook-id")).isEqualTo(id + ":batch.completed");
      assertThat(webhooks.attempts(id)).hasSize(4);
    }
  }

  @Test
  void a_stalling_receiver_times_out_and_a_huge_body_is_never_read() {
    env.put("CALLBACK_RETRY_SCHEDULE", "0s");
    env.put("CALLBACK_TIMEOUT", "1s");
    try (ScriptedReceiver stalling = new ScriptedReceiver("127.0.0.1",
            new Reply(200, Map.of(), ScriptedReceiver.Behaviour.STALL));
        ScriptedReceiver streaming = new ScriptedReceiver("127.0.0.1",
            new Reply(200, Map.of(), ScriptedReceiver.Behaviour.HUGE_BODY))) {
      startDispatcher();
      String stalled = completedBatch(stalling.url("/hook"));
      String huge = completedBatch(streaming.url("/hook"));

      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.FAILED.wire().equals(statusOf(stalled)));
      assertThat(delivery(stalled).lastResult()).contains("timed out");
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(huge)));
      // We hung up after the headers: the receiver could not push its 512 MB.
      await().atMost(Duration.ofSeconds(30)).untilTrue(streaming.hugeBodyEnded);
      assertThat(streaming.hugeBytesWritten.get()).isLessThan(ScriptedReceiver.HUGE_BODY_BYTES);
    }
  }

  @Test
  void a_name_resolving_to_loopback_and_a_redirect_to_loopback_make_no_connection_to_it() throws Exception {
    env.put("CALLBACK_ALLOWED_CIDRS", "127.0.0.2/32"); // only the redirecting receiver is allowed
    env.put("CALLBACK_RETRY_SCHEDULE", "0s");
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket loopback = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        ScriptedReceiver redirecting = new ScriptedReceiver("127.0.0.2",
            Reply.status(302, "Location", "http://127.0.0.1:" + loopback.getLocalPort() + "/"))) {
      Thread acceptor = new Thread(() -> {
        while (!loopback.isClosed()) {
          try (Socket s = loopback.accept()) {
            connections.incrementAndGet();
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.start();
      startDispatcher();
      String byName = completedBatch("http://localhost:" + loopback.getLocalPort() + "/hook");
      String redirected = completedBatch(redirecting.url("/hook"));

      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.FAILED.wire().equals(statusOf(byName))
          && DeliveryStatus.FAILED.wire().equals(statusOf(redirected)));
      assertThat(delivery(byName).lastResult()).contains("points at");
      assertThat(delivery(redirected).lastResult()).isEqualTo("HTTP 302");
      assertThat(redirecting.received()).hasSize(1);
      assertThat(connections.get()).isZero();
    }
  }

  @Test
  void a_dispatcher_restarted_in_the_middle_of_a_back_off_delivers_once_afterwards() {
    env.put("CALLBACK_RETRY_SCHEDULE", "0s,3s");
    try (ScriptedReceiver receiver = new ScriptedReceiver("127.0.0.1", Reply.status(200), Reply.status(500))) {
      startDispatcher();
      String id = completedBatch(receiver.url("/hook"));
      await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.find(id, "batch.completed").map(Delivery::attempts).orElse(0) == 1);
      dispatcher.close();
      assertThat(delivery(id).status()).isEqualTo(DeliveryStatus.PENDING);

      startDispatcher();
      await().atMost(Duration.ofSeconds(30)).until(() -> DeliveryStatus.DELIVERED.wire().equals(statusOf(id)));
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 2);
      assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).containsOnly(id + ":batch.completed");
    }
  }
}
