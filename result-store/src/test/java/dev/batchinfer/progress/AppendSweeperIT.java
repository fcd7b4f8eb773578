package dev.batchinfer.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.OpenBatches;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.message.ProgressEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The append sweep against a real broker and Redis. An API dying in the middle of an append is simulated in one JVM:
 * the test leaves the slot as such an API would (prepared or not, its event in Kafka or not), then sweeps. What an
 * append's API does when it lives is {@code AppendIT}'s.
 */
class AppendSweeperIT {

  private static final String TENANT = "tenant-a";

  private final TestNamespace ns = TestNamespace.create("appends");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private Redis redis;
  private BatchStores store;
  private KeyedRecordFinder finder;
  private AppendSweeper sweeper;
  private KafkaProducer<String, ProgressEvent> producer;

  @BeforeEach
  void start() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    redis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
    store = BatchStores.over(redis);
    finder = new KeyedRecordFinder(TestInfra.bootstrapServers(), Duration.ofSeconds(2));
    sweeper = new AppendSweeper(store, topics, finder);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), topics.progress().keySerde().serializer(),
        topics.progress().valueSerde().serializer());
  }

  @AfterEach
  void stop() {
    producer.close();
    finder.close();
    redis.close();
  }

  @Test
  void an_append_that_committed_before_its_api_died_is_confirmed_and_one_that_did_not_is_dropped() throws Exception {
    String landed = openBatch();
    String lost = openBatch();
    long now = System.currentTimeMillis();
    for (String id : List.of(landed, lost)) {
      store.quota().reserve(TENANT, id, 100, Long.MAX_VALUE);
      assertThat(open().begin(id, "a-" + id, now - 5000, now - 1).slot()).isEqualTo(OpenBatches.Slot.OK);
      open().prepare(id, "a-" + id, new OpenBatches.Appended(100, 40, 1, 1), new long[] {100});
      store.quota().reserve(TENANT, id, 140, Long.MAX_VALUE); // as its admission did
    }
    producer.send(new ProducerRecord<>(topics.progress().name(), landed,
        new ProgressEvent.Appended(landed, now - 2000, "a-" + landed, 1, 1, 100, 40))).get();

    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(2);

    BatchRecord confirmed = store.records().find(landed).orElseThrow();
    assertThat(confirmed.total()).isEqualTo(140);
    assertThat(confirmed.chunkStarts()).containsExactly(0, 100);
    assertThat(open().confirmed(landed, "a-" + landed)).isPresent();
    BatchRecord dropped = store.records().find(lost).orElseThrow();
    assertThat(dropped.total()).isEqualTo(100);
    assertThat(dropped.chunkStarts()).containsExactly(0);
    assertThat(open().inFlight(lost)).as("its place is free").isEmpty();
    assertThat(open().begin(lost, "next", now, now + 60_000).total()).isEqualTo(100);
  }

  @Test
  void a_finalize_whose_seal_landed_is_marked_finalized_and_an_unprepared_append_is_freed_without_kafka() {
    String sealed = openBatch();
    String quiet = openBatch();
    long now = System.currentTimeMillis();
    open().begin(sealed, "finalize-x", now - 5000, now - 1);
    open().prepare(sealed, "finalize-x", new OpenBatches.Appended(100, 0, 1, 0), new long[0]);
    producer.send(new ProducerRecord<>(topics.progress().name(), sealed,
        new ProgressEvent.Sealed(sealed, 1, 100, now - 2000)));
    producer.flush();
    open().begin(quiet, "q", now - 5000, now - 1);

    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(2);
    assertThat(store.records().find(sealed).orElseThrow().steering().finalized()).isTrue();
    assertThat(open().inFlight(quiet)).isEmpty();
    assertThat(store.records().find(quiet).orElseThrow().steering().finalized()).isFalse();
  }

  private OpenBatches open() {
    return store.open();
  }

  /** An open batch whose first append (100 items, one chunk) is confirmed. */
  private String openBatch() {
    String id = "open-" + System.nanoTime();
    Instant created = Instant.now();
    store.records().create(BatchRecord.queued(id, TENANT, "fashion-mnist", "1.0.0", Priority.NORMAL, 100,
        new long[] {0}, null, List.of(), null, created, created, created.plus(Duration.ofHours(1)), Duration.ofHours(1))
        .opened());
    return id;
  }
}
