package dev.batchinfer.worker.publish;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkFixtures;
import dev.batchinfer.worker.batch.PendingChunk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A redelivered chunk that now has cancelled items (a cancel came between two deliveries) must not
 * replace the results an earlier delivery stored, and its chunk-done event must count what is
 * stored, so the batch's counts match its result lines. Real Redis, real Kafka.
 */
class ResultPublisherIT {
  private Redis storeRedis;

  private static final String OK = "{\"index\":%d,\"result\":{\"label\":\"x\"}}";
  private static final String CANCELLED = "{\"index\":%d,\"error\":{\"code\":\"cancelled\",\"message\":\"cancelled\"}}";

  private final TestNamespace ns = TestNamespace.create("publisher");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private final List<PendingChunk> published = new CopyOnWriteArrayList<>();
  private BatchStores store;
  private KafkaProducer<byte[], byte[]> producer;
  private ResultPublisher publisher;

  @BeforeEach
  void start() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    storeRedis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
    store = BatchStores.over(storeRedis);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
    publisher = new ResultPublisher(store, producer, topics, "worker-b", published::add);
  }

  @AfterEach
  void stop() {
    publisher.close();
    producer.close();
    storeRedis.close();
  }

  @Test
  void a_redelivery_with_cancelled_items_keeps_the_stored_results_and_counts_them() throws Exception {
    String batchId = UUID.randomUUID().toString();
    // The first delivery stored all three results, then its worker died before its chunk-done went out.
    String earlier = String.format(OK, 0) + "\n" + String.format(OK, 1) + "\n" + String.format(OK, 2) + "\n";
    store.results().write(batchId, 0, earlier).toCompletableFuture().get();

    // The redelivery: items 1 and 2 were cancelled meanwhile, so only item 0 ran.
    PendingChunk again = answered(batchId, true, false, false);

    ProgressEvent.ChunkFinished done = publishAndReadDone(again, batchId);
    assertThat(store.results().read(batchId, 0).toCompletableFuture().get()).isEqualTo(earlier);
    assertThat(new int[] {done.succeeded(), done.failed(), done.cancelled()}).containsExactly(3, 0, 0);
  }

  @Test
  void a_first_delivery_with_cancelled_items_stores_its_own_lines_and_counts() throws Exception {
    String batchId = UUID.randomUUID().toString();
    PendingChunk first = answered(batchId, true, false, false);

    ProgressEvent.ChunkFinished done = publishAndReadDone(first, batchId);
    assertThat(store.results().read(batchId, 0).toCompletableFuture().get()).isEqualTo(first.ndjson());
    assertThat(new int[] {done.succeeded(), done.failed(), done.cancelled()}).containsExactly(1, 0, 2);
  }

  /** A three-item chunk; {@code ran[i]}: item i got a result, else it was answered cancelled. */
  private static PendingChunk answered(String batchId, boolean... ran) {
    PendingChunk c = new PendingChunk(ChunkFixtures.chunk(batchId, ran.length, 0, Priority.NORMAL), ChunkFixtures.MODEL, ChunkFixtures.REF,
        ChunkFixtures.allPositions(ran.length));
    for (int i = 0; i < ran.length; i++) {
      if (ran[i]) {
        c.answer(i, String.format(OK, i), true);
      } else {
        c.answerCancelled(i, String.format(CANCELLED, i));
      }
    }
    return c;
  }

  private ProgressEvent.ChunkFinished publishAndReadDone(PendingChunk chunk, String batchId) {
    publisher.publish(chunk);
    await().atMost(Duration.ofSeconds(30)).until(() -> published.contains(chunk));
    List<ProgressEvent.ChunkFinished> done = TopicReader.readAll(topics.progress().name(), false).stream()
        .map(r -> topics.progress().valueSerde().deserializer().deserialize("", r.value()))
        .filter(d -> d.batchId().equals(batchId)).map(ProgressEvent.ChunkFinished.class::cast).toList();
    assertThat(done).hasSize(1);
    assertThat(done.get(0).workerId()).isEqualTo("worker-b");
    return done.get(0);
  }
}
