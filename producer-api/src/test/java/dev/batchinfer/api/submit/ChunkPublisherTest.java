package dev.batchinfer.api.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.message.ProgressEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The publisher's transactions and its pool of producers, over Kafka's MockProducer. */
class ChunkPublisherTest {

  private static final Topics TOPICS = Topics.withPrefix("unit-");
  private static final String BATCH = "batch-1";

  /** Every producer the publisher asked for, with the configuration it asked with. */
  private final List<MockProducer<String, byte[]>> made = new ArrayList<>();
  private final List<Map<String, Object>> configs = new ArrayList<>();
  private boolean autoComplete = true;
  private RuntimeException refuseSends;

  private final ProducerFactory factory = config -> {
    MockProducer<String, byte[]> p = new MockProducer<>(autoComplete, null, new StringSerializer(),
        new ByteArraySerializer());
    p.sendException = refuseSends;
    made.add(p);
    configs.add(config);
    return p;
  };

  private ChunkPublisher publisher(int producers) {
    return new ChunkPublisher(factory, TOPICS, "test", "", producers, "submits", Duration.ofMillis(200),
        Duration.ofSeconds(60));
  }

  private static ChunkHeader header(int chunkCount) {
    return new ChunkHeader(BATCH, 0, chunkCount, chunkCount, "tiny", "1", Priority.NORMAL, 1_700_000_000_000L);
  }

  private static Chunker.ChunkItems chunk(long index) {
    return new Chunker.ChunkItems(new long[] {index}, new int[] {0, 2}, new byte[] {1, 2});
  }

  private static Object transactionalId(Map<String, Object> config) {
    return config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
  }

  @Test
  void a_committed_batch_makes_every_chunk_and_its_seal_visible_at_once_and_the_producer_serves_the_next() {
    try (ChunkPublisher publisher = publisher(1)) {
      try (ChunkTransaction tx = publisher.begin(BATCH, header(2))) {
        tx.send(chunk(0));
        tx.send(chunk(1));
        tx.sendProgress(new ProgressEvent.Sealed(BATCH, 2, 2, 1L));
        assertThat(made.get(0).history()).as("nothing visible before the commit").isEmpty();
        tx.commit();
      }
      MockProducer<String, byte[]> producer = made.get(0);
      assertThat(producer.transactionCommitted()).isTrue();
      assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly(
          TOPICS.requests(Priority.NORMAL).name(), TOPICS.requests(Priority.NORMAL).name(), TOPICS.progress().name());
      assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly(BATCH + ":0", BATCH + ":1", BATCH);
      assertThat(transactionalId(configs.get(0))).isEqualTo("unit-producer-api-test-0");

      try (ChunkTransaction next = publisher.begin("batch-2", header(2))) {
        next.send(chunk(0));
        next.commit();
      }
      assertThat(made).as("the idle producer is reused, not replaced").hasSize(1);
      assertThat(producer.commitCount()).isEqualTo(2);
    }
  }

  @Test
  void a_failed_send_surfaces_as_a_retriable_error_and_no_chunk_of_the_batch_is_committed() {
    autoComplete = false;
    KafkaException refused = new KafkaException("the broker refused the record");
    try (ChunkPublisher publisher = publisher(1)) {
      PublishException e;
      try (ChunkTransaction tx = publisher.begin(BATCH, header(2))) {
        tx.send(chunk(0));
        tx.send(chunk(1));
        made.get(0).errorNext(refused);
        e = catchThrowableOfType(PublishException.class, tx::commit);
      }
      assertThat(e).isInstanceOf(RetriableApiException.class).hasCause(refused);
      assertThat(e.status()).isEqualTo(503);
      MockProducer<String, byte[]> producer = made.get(0);
      assertThat(producer.transactionCommitted()).isFalse();
      assertThat(producer.history()).isEmpty();
      // Its state unknown, the producer is closed; the next with its id aborts what it left open.
      assertThat(producer.closed()).isTrue();
    }
  }

  @Test
  void a_submit_that_ends_without_committing_aborts_and_the_producer_stays_in_the_pool() {
    try (ChunkPublisher publisher = publisher(1)) {
      try (ChunkTransaction tx = publisher.begin(BATCH, header(2))) {
        tx.send(chunk(0)); // then, say, the client went away
      }
      MockProducer<String, byte[]> producer = made.get(0);
      assertThat(producer.transactionAborted()).isTrue();
      assertThat(producer.history()).isEmpty();
      assertThat(producer.closed()).isFalse();
      publisher.begin("batch-2", header(2)).close();
      assertThat(made).hasSize(1);
    }
  }

  @Test
  void a_fenced_producer_is_replaced_by_a_new_one_with_the_same_transactional_id() {
    try (ChunkPublisher publisher = publisher(1)) {
      try (ChunkTransaction tx = publisher.begin(BATCH, header(2))) {
        made.get(0).fenceProducer();
        PublishException e = catchThrowableOfType(PublishException.class, () -> tx.send(chunk(0)));
        assertThat(e).isNotNull();
      }
      assertThat(made.get(0).closed()).isTrue();

      try (ChunkTransaction retry = publisher.begin(BATCH, header(2))) {
        retry.send(chunk(0));
        retry.commit();
      }
      assertThat(made).hasSize(2);
      MockProducer<String, byte[]> replacement = made.get(1);
      assertThat(transactionalId(configs.get(1))).isEqualTo(transactionalId(configs.get(0)));
      assertThat(replacement.transactionInitialized()).isTrue();
      assertThat(replacement.transactionCommitted()).isTrue();
      assertThat(replacement.history()).hasSize(1);
    }
  }

  @Test
  void when_every_producer_is_busy_a_submit_gets_a_retriable_error_saying_to_retry() {
    try (ChunkPublisher publisher = publisher(1); ChunkTransaction busy = publisher.begin(BATCH, header(2))) {
      PublishException e = catchThrowableOfType(PublishException.class, () -> publisher.begin("batch-2", header(2)));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("producers for submits are busy").contains("retry");
      assertThat(e.retryAfter()).isPositive();
      assertThat(made).hasSize(1);
    }
  }

  @Test
  void a_one_chunk_batch_is_sent_alone_without_a_transaction() {
    try (ChunkPublisher publisher = publisher(1)) {
      publisher.sendAlone(BATCH, header(1), chunk(0));
      assertThat(made).hasSize(1);
      assertThat(transactionalId(configs.get(0))).isNull();
      assertThat(made.get(0).transactionInitialized()).isFalse();
      assertThat(made.get(0).history()).extracting(ProducerRecord::key).containsExactly(BATCH + ":0");
    }
  }

  @Test
  void a_one_chunk_batch_that_kafka_does_not_acknowledge_is_a_retriable_error() {
    refuseSends = new KafkaException("no broker");
    try (ChunkPublisher publisher = publisher(1)) {
      PublishException e = catchThrowableOfType(PublishException.class, () -> publisher.sendAlone(BATCH, header(1), chunk(0)));
      assertThat(e).isNotNull().hasMessageContaining("not acknowledged").hasCause(refuseSends);
      assertThat(made.get(0).history()).isEmpty();
    }
  }

  @Test
  void a_batchs_chunks_go_round_the_partitions_so_each_holds_as_many_as_the_others_within_one() {
    for (int partitions : new int[] {1, 4, 6, 16}) {
      int[] counts = new int[partitions];
      for (int chunk = 0; chunk < 515; chunk++) {
        counts[ChunkPublisher.partitionOf("0b9e7c1a-batch", chunk, partitions)]++;
      }
      int most = java.util.Arrays.stream(counts).max().orElseThrow();
      int least = java.util.Arrays.stream(counts).min().orElseThrow();
      assertThat(most - least).as("chunks per partition on %d partitions: %s", partitions, java.util.Arrays.toString(counts))
          .isLessThanOrEqualTo(1);
    }
  }

  @Test
  void chunks_are_written_to_the_partitions_the_producer_knows_the_topic_to_have() {
    String topic = TOPICS.requests(Priority.NORMAL).name();
    org.apache.kafka.common.Node node = new org.apache.kafka.common.Node(1, "127.0.0.1", 9092);
    List<org.apache.kafka.common.PartitionInfo> three = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      three.add(new org.apache.kafka.common.PartitionInfo(topic, p, node, new org.apache.kafka.common.Node[] {node},
          new org.apache.kafka.common.Node[] {node}));
    }
    org.apache.kafka.common.Cluster cluster = new org.apache.kafka.common.Cluster("c", List.of(node), three,
        java.util.Set.of(), java.util.Set.of());
    MockProducer<String, byte[]> producer = new MockProducer<>(cluster, true, null, new StringSerializer(),
        new ByteArraySerializer());
    try (ChunkPublisher publisher = new ChunkPublisher(config -> producer, TOPICS, "test", "", 1, "submits",
        Duration.ofMillis(200), Duration.ofSeconds(60)); ChunkTransaction tx = publisher.begin(BATCH, header(4))) {
      for (int i = 0; i < 4; i++) {
        tx.send(chunk(i));
      }
      tx.commit();
    }
    int first = ChunkPublisher.partitionOf(BATCH, 0, 3);
    assertThat(producer.history()).extracting(ProducerRecord::partition)
        .containsExactly(first, (first + 1) % 3, (first + 2) % 3, first);
  }
}
