package dev.batchinfer.worker;

import dev.batchinfer.observability.Metrics;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.progress.ResultStoreApp;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.worker.consume.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker does not trust what is on the request topics: records written straight to Kafka, as
 * another producer might, bypassing the API's validation.
 */
class WorkerGuardsIT {
  private Redis storeRedis;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestNamespace ns = TestNamespace.create("guards");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private ResultStoreApp resultStore;
  private GpuWorkerApp worker;
  private final Metrics metrics = new Metrics();
  private BatchStores store;
  private KafkaProducer<byte[], byte[]> producer;

  @BeforeEach
  void start() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    Env env = Env.of(ns.env(Map.of("MODEL_ARTIFACTS", "../model-artifacts", "TF_INTRA_OP_THREADS", "2")));
    CommonSettings common = CommonSettings.from(env);
    resultStore = ResultStoreApp.create(common, Files.createTempDirectory("guards-streams"),
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).start();
    WorkerSettings settings = WorkerSettings.from(env).withWorkerId("guard-worker");
    worker = GpuWorkerApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), metrics).start();
    storeRedis = Redis.connect(common.redisUrl(), common.redisKeyPrefix());
    store = BatchStores.over(storeRedis);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    producer.close();
    worker.close();
    resultStore.close();
    storeRedis.close();
    metrics.close();
  }

  @Test
  void malformed_item_gets_an_error_and_its_neighbours_succeed() throws Exception {
    String batchId = UUID.randomUUID().toString();
    recordBatch(batchId, 3);
    byte[] good = new byte[784];
    byte[] shortItem = new byte[783];
    byte[] payloads = new byte[784 + 783 + 784];
    System.arraycopy(shortItem, 0, payloads, 784, 783);
    System.arraycopy(good, 0, payloads, 784 + 783, 784);
    ChunkHeader h = new ChunkHeader(batchId, 0, 1, 3, "fashion-mnist", "1.0.0", Priority.NORMAL, System.currentTimeMillis());
    send(ChunkCodec.encode(h, new long[] {0, 1, 2}, new int[] {0, 784, 784 + 783, payloads.length}, payloads));

    await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
        assertThat(store.records().find(batchId).orElseThrow().status()).isEqualTo(BatchStatus.COMPLETED_WITH_ERRORS));
    BatchRecord record = store.records().find(batchId).orElseThrow();
    assertThat(record.completed()).isEqualTo(2);
    assertThat(record.failed()).isEqualTo(1);
    String[] lines = store.results().read(batchId, 0, 1).get(0).split("\n");
    assertThat(lines).hasSize(3);
    assertThat(JSON.readTree(lines[0]).at("/result/label").asText()).isNotEmpty();
    JsonNode error = JSON.readTree(lines[1]).get("error");
    assertThat(error.get("code").asText()).isEqualTo("invalid_input");
    assertThat(error.get("message").asText()).contains("783 bytes");
    assertThat(JSON.readTree(lines[2]).at("/result/label").asText()).isNotEmpty();
    assertThat(metrics.registry().get("batchinfer.worker.items.failed").tag("code", "invalid_input").counter().count())
        .isEqualTo(1);
    assertThat(metrics.registry().get("batchinfer.worker.items.inferred").tag("version", "1.0.0").counter().count())
        .isEqualTo(2);
  }

  @Test
  void undecodable_record_goes_to_the_dead_letter_topic_and_the_worker_moves_on() {
    send("this is not a chunk".getBytes(StandardCharsets.UTF_8));
    String batchId = UUID.randomUUID().toString();
    recordBatch(batchId, 1);
    ChunkHeader h = new ChunkHeader(batchId, 0, 1, 1, "fashion-mnist", "1.0.0", Priority.NORMAL, System.currentTimeMillis());
    send(ChunkCodec.encode(h, new long[] {0}, new int[] {0, 784}, new byte[784]));

    await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
        assertThat(store.records().find(batchId).orElseThrow().status()).isEqualTo(BatchStatus.COMPLETED));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readAll(topics.requestsDeadLetter().name(), false);
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("this is not a chunk");
        assertThat(header(r, DeadLetters.REASON)).contains("magic");
        assertThat(header(r, DeadLetters.SOURCE_TOPIC)).isEqualTo(topics.requests(Priority.NORMAL).name());
        assertThat(header(r, DeadLetters.SOURCE_OFFSET)).isNotEmpty();
      });
    });
    assertThat(metrics.registry().get("batchinfer.worker.chunks.dead.lettered").tag("reason", "undecodable").counter()
        .count()).isEqualTo(1);
  }

  @Test
  void a_corrupt_chunk_of_a_known_batch_ends_its_items_failed_so_the_batch_completes_with_errors() throws Exception {
    String batchId = UUID.randomUUID().toString();
    recordBatch(batchId, 3, new long[] {0, 2}); // chunk 0 holds items 0 and 1, chunk 1 item 2
    // Keyed as the API keys chunk records, with a value no decoder accepts.
    send(batchId + ":0", "BI\u0002 truncated".getBytes(StandardCharsets.UTF_8));
    ChunkHeader h = new ChunkHeader(batchId, 1, 2, 3, "fashion-mnist", "1.0.0", Priority.NORMAL, System.currentTimeMillis());
    send(batchId + ":1", ChunkCodec.encode(h, new long[] {2}, new int[] {0, 784}, new byte[784]));

    await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
        assertThat(store.records().find(batchId).orElseThrow().status()).isEqualTo(BatchStatus.COMPLETED_WITH_ERRORS));
    BatchRecord record = store.records().find(batchId).orElseThrow();
    assertThat(record.completed()).isEqualTo(1);
    assertThat(record.failed()).isEqualTo(2);
    String[] lines = store.results().read(batchId, 0, 1).get(0).split("\n");
    assertThat(lines).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode line = JSON.readTree(lines[i]);
      assertThat(line.get("index").asLong()).isEqualTo(i);
      assertThat(line.at("/error/code").asText()).isEqualTo("corrupt_record");
      assertThat(line.at("/error/message").asText()).contains("could not be read");
    }
    // The record is kept for a look all the same.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(TopicReader.readAll(topics.requestsDeadLetter().name(), false)).hasSize(1));
  }

  private void recordBatch(String batchId, long items) {
    recordBatch(batchId, items, new long[] {0});
  }

  private void recordBatch(String batchId, long items, long[] chunkStarts) {
    store.records().create(BatchRecord.queued(batchId, "tenant-a", "fashion-mnist", "1.0.0", Priority.NORMAL, items, chunkStarts, null,
        List.of(), null, Instant.now(), Instant.now(), Instant.now().plusSeconds(3600),
        java.time.Duration.ofDays(1)));
  }

  private void send(byte[] value) {
    send(null, value);
  }

  private void send(String key, byte[] value) {
    try {
      // One partition, so the bad record is certainly ahead of the good one.
      producer.send(new ProducerRecord<>(topics.requests(Priority.NORMAL).name(), 0,
          key == null ? null : key.getBytes(StandardCharsets.UTF_8), value)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
