package dev.batchinfer.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hanging-transaction sweep against a real broker: it reads every partition's open transactions and their
 * coordinators', and leaves a running one alone however long it is open. (A transaction that really hangs needs
 * a broker to lose its markers, which cannot be made to order; the verdict on one is {@link HangingWatchTest}'s,
 * and the kill -9 of a standalone that caused one is {@code StandaloneRestartIT}.)
 */
class HangingTransactionsIT {

  private final TestNamespace ns = TestNamespace.create("hanging");
  private final Topics topics = Topics.withPrefix(ns.topicPrefix());

  @Test
  void an_open_transaction_its_coordinator_runs_is_seen_and_left_alone() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, (short) 1);
    }
    AtomicLong now = new AtomicLong();
    String appId = ProgressService.applicationId(topics);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    HangingTransactions sweep = new HangingTransactions(TestInfra.bootstrapServers(), topics, appId, Duration.ZERO,
        now::get, meters);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, topics.prefix() + "producer-api-test-0"),
        new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topics.progress().name(), "batch-1", "{}")).get();
      // An offset commit in the transaction, as the topology makes: pending on __consumer_offsets until the commit.
      producer.sendOffsetsToTransaction(Map.of(new TopicPartition(topics.progress().name(), 0), new OffsetAndMetadata(1)),
          new ConsumerGroupMetadata(appId));

      assertThat(sweep.openTransactions()).as("the open transaction, as each partition reports it")
          .anySatisfy(t -> assertThat(t.partition().topic()).isEqualTo(topics.progress().name()))
          .anySatisfy(t -> assertThat(t.partition().topic()).isEqualTo("__consumer_offsets"));
      // With no grace at all, a transaction that is not running would be aborted on the first sweep.
      assertThat(sweep.sweep()).isZero();
      now.addAndGet(Duration.ofHours(1).toMillis());
      assertThat(sweep.sweep()).isZero();

      producer.commitTransaction(); // still ours to commit: nothing aborted it
    } finally {
      sweep.close();
    }
    assertThat(meters.counter("batchinfer.progress.hanging.transactions.aborted").count()).isZero();
  }
}
