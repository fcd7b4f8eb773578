package dev.batchinfer.progress;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.PendingBatches;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ghost sweeper against a real broker and Redis. A submit's API dying between its steps is simulated here in
 * one JVM: the test makes the Redis writes and the Kafka records (committed, aborted, left open, never sent) that
 * such an API would leave, then sweeps. The real kill -9 of an API process is chaos scenario 24.
 */
class GhostSweeperIT {
  private Redis storeRedis;

  private static final String TENANT = "tenant-g";
  private static final long CAP = 1_000_000;

  private final TestNamespace ns = TestNamespace.create("ghosts");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private BatchStores store;
  private KeyedRecordFinder finder;
  private GhostSweeper sweeper;
  private KafkaProducer<String, byte[]> plain;
  private RedisClient client;
  private StatefulRedisConnection<String, String> redis;

  @BeforeEach
  void start() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    storeRedis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
    store = BatchStores.over(storeRedis);
    finder = new KeyedRecordFinder(TestInfra.bootstrapServers(), Duration.ofSeconds(2));
    sweeper = new GhostSweeper(store, topics, finder);
    plain = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    client = RedisClient.create(TestInfra.redisUrl());
    redis = client.connect();
  }

  @AfterEach
  void stop() {
    plain.close();
    finder.close();
    storeRedis.close();
    redis.close();
    client.shutdown();
  }

  @Test
  void a_record_whose_transaction_aborted_is_removed_with_its_reservation_queue_place_and_deadline() {
    String id = recordPending(PendingBatches.Commit.TRANSACTION, 300);
    try (KafkaProducer<String, byte[]> txn = transactional()) {
      txn.beginTransaction();
      sendChunk(txn, id, 0);
      sendSeal(txn, id);
      txn.flush();
      txn.abortTransaction(); // what the broker does to a dead API's transaction at its timeout
    }
    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(1);

    assertThat(store.records().find(id)).as("the ghost's record").isEmpty();
    assertThat(queued()).as("the tenant's queued items").isZero();
    assertThat(store.deadlines().passed(Long.MAX_VALUE, 10)).doesNotContain(id);
    assertThat(store.pending().due(Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void a_record_committed_but_never_confirmed_is_confirmed_and_kept() {
    String id = recordPending(PendingBatches.Commit.TRANSACTION, 300);
    try (KafkaProducer<String, byte[]> txn = transactional()) {
      txn.beginTransaction();
      sendChunk(txn, id, 0);
      sendSeal(txn, id);
      txn.commitTransaction(); // and the API died before it confirmed
    }
    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(1);

    assertThat(store.records().find(id)).as("the accepted batch's record").isPresent();
    assertThat(store.pending().recorded(id).commit()).as("pending mark").isNull();
    assertThat(queued()).as("its reservation stays until it finishes").isEqualTo(300);
    assertThat(store.pending().due(Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void a_one_chunk_batch_is_judged_by_its_chunk() {
    String sent = recordPending(PendingBatches.Commit.ALONE, 5);
    String neverSent = recordPending(PendingBatches.Commit.ALONE, 7);
    sendChunk(plain, sent, 0);
    plain.flush();
    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(2);

    assertThat(store.records().find(sent)).isPresent();
    assertThat(store.pending().recorded(sent).commit()).isNull();
    assertThat(store.records().find(neverSent)).isEmpty();
    assertThat(queued()).isEqualTo(5);
  }

  @Test
  void a_reservation_whose_submit_never_got_to_its_record_is_given_back() {
    String id = UUID.randomUUID().toString();
    store.pending().track(id, TENANT, System.currentTimeMillis() - 1);
    store.quota().reserve(TENANT, id, 40, CAP);
    assertThat(queued()).isEqualTo(40);
    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(1);

    assertThat(queued()).isZero();
    assertThat(store.pending().due(Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void nothing_is_decided_before_the_entry_is_due_or_while_its_transaction_is_open() {
    String notDue = UUID.randomUUID().toString();
    store.pending().track(notDue, TENANT, System.currentTimeMillis() + 3_600_000);
    String open = recordPending(PendingBatches.Commit.TRANSACTION, 10);
    try (KafkaProducer<String, byte[]> txn = transactional()) {
      txn.beginTransaction();
      sendSeal(txn, open);
      txn.flush();
      assertThat(sweeper.sweep(System.currentTimeMillis())).as("resolved while the transaction is open").isZero();
      assertThat(store.records().find(open)).isPresent();

      txn.commitTransaction();
    }
    assertThat(sweeper.sweep(System.currentTimeMillis())).isEqualTo(1);
    assertThat(store.pending().recorded(open).commit()).isNull();
    assertThat(store.pending().due(Long.MAX_VALUE, 10)).extracting(PendingBatches.Due::batchId).containsExactly(notDue);
  }

  /** A record as the API writes it before its commit, reserved and already due. */
  private String recordPending(PendingBatches.Commit commit, long items) {
    String id = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    store.pending().track(id, TENANT, now - 1);
    assertThat(store.quota().reserve(TENANT, id, items, CAP)).isEqualTo(-1);
    Instant created = Instant.ofEpochMilli(now);
    store.records().create(BatchRecord.queued(id, TENANT, "fashion-mnist", "1.0.0", Priority.NORMAL, items, new long[] {0}, null,
        List.of(), null, created, created, created.plusSeconds(5), Duration.ofDays(1)), commit, now - 1);
    return id;
  }

  private long queued() {
    String total = redis.sync().hget(ns.redisKeyPrefix() + "tenant:{" + TENANT + "}:active", "~total");
    return total == null ? 0 : Long.parseLong(total);
  }

  private KafkaProducer<String, byte[]> transactional() {
    KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestInfra.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, ns.topicPrefix() + UUID.randomUUID()),
        new StringSerializer(), new ByteArraySerializer());
    p.initTransactions();
    return p;
  }

  private void sendChunk(KafkaProducer<String, byte[]> p, String batchId, int chunk) {
    p.send(new ProducerRecord<>(topics.requests(Priority.NORMAL).name(), batchId + ":" + chunk,
        "a chunk".getBytes(StandardCharsets.UTF_8)));
  }

  private void sendSeal(KafkaProducer<String, byte[]> p, String batchId) {
    var progress = topics.progress();
    p.send(new ProducerRecord<>(progress.name(), batchId, progress.valueSerde().serializer()
        .serialize(progress.name(), new ProgressEvent.Sealed(batchId, 1, 1, System.currentTimeMillis()))));
  }
}
