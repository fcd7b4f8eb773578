package dev.batchinfer.worker;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker told to stop (what its SIGTERM hook does) runs what it has fetched, publishes it and
 * commits it before it leaves, so the next owner of its partitions runs none of it again.
 */
class WorkerShutdownIT {
  private Redis storeRedis;

  private static final int CHUNKS = 3;
  private static final int ITEMS_PER_CHUNK = 10;

  private final TestNamespace ns = TestNamespace.create("shutdown");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());
  private BatchStores store;

  @AfterEach
  void close() {
    if (store != null) {
      storeRedis.close();
    }
  }

  @Test
  void a_stopping_worker_runs_the_chunks_it_holds_publishes_and_commits_them_before_it_leaves() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    // A micro-batch would wait ten minutes for more items: the chunks are certainly still held when
    // the worker is told to stop, and only the drain runs them.
    Env env = Env.of(ns.env(Map.of("MODEL_ARTIFACTS", "../model-artifacts", "TF_INTRA_OP_THREADS", "2",
        "WORKER_MAX_QUEUE_DELAY", "10m", "SHUTDOWN_DRAIN_TIMEOUT", "2m")));
    CommonSettings common = CommonSettings.from(env);
    storeRedis = Redis.connect(common.redisUrl(), common.redisKeyPrefix());
    store = BatchStores.over(storeRedis);
    String batchId = UUID.randomUUID().toString();
    long[] starts = new long[CHUNKS];
    for (int c = 0; c < CHUNKS; c++) {
      starts[c] = (long) c * ITEMS_PER_CHUNK;
    }
    store.records().create(BatchRecord.queued(batchId, "tenant-a", "fashion-mnist", "1.0.0", Priority.NORMAL,
        CHUNKS * ITEMS_PER_CHUNK, starts, null, List.of(), null, Instant.now(), Instant.now(),
        Instant.now().plusSeconds(3600), Duration.ofDays(1)));
    produceChunks(batchId);

    WorkerSettings settings = WorkerSettings.from(env).withWorkerId("stopping-worker");
    GpuWorkerApp worker = GpuWorkerApp.create(settings).start();
    try {
      await().atMost(Duration.ofMinutes(1)).until(() -> worker.heldChunks() == CHUNKS);
      assertThat(store.results().read(batchId, 0, CHUNKS)).as("nothing has run before the stop").isEmpty();
    } finally {
      worker.close();
    }

    assertThat(store.results().read(batchId, 0, CHUNKS)).as("results of every chunk it held").hasSize(CHUNKS)
        .allSatisfy(ndjson -> assertThat(ndjson.split("\n")).hasSize(ITEMS_PER_CHUNK));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      Map<?, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(settings.consumerGroup())
          .partitionsToOffsetAndMetadata().get();
      assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
          .as("committed offsets: every chunk it ran, so none is read again").isEqualTo(CHUNKS);
    }
  }

  private void produceChunks(String batchId) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int c = 0; c < CHUNKS; c++) {
        ChunkHeader h = new ChunkHeader(batchId, c, CHUNKS, CHUNKS * ITEMS_PER_CHUNK, "fashion-mnist", "1.0.0",
            Priority.NORMAL, System.currentTimeMillis());
        long[] indexes = new long[ITEMS_PER_CHUNK];
        int[] offsets = new int[ITEMS_PER_CHUNK + 1];
        for (int i = 0; i < ITEMS_PER_CHUNK; i++) {
          indexes[i] = (long) c * ITEMS_PER_CHUNK + i;
          offsets[i + 1] = (i + 1) * 784;
        }
        byte[] value = ChunkCodec.encode(h, indexes, offsets, new byte[ITEMS_PER_CHUNK * 784]);
        producer.send(new ProducerRecord<>(topics.requests(Priority.NORMAL).name(),
            (batchId + ":" + c).getBytes(StandardCharsets.UTF_8), value)).get();
      }
    }
  }
}
