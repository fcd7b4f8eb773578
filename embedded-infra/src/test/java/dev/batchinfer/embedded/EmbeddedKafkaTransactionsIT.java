package dev.batchinfer.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.batchinfer.embedded.testing.TestInfra;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTransactionsIT {

    @BeforeAll
    static void startSharedBroker() {
        TestInfra.kafka(); // Its start time is logged by EmbeddedKafka ("ready in").
        Measurements.heap("with the shared broker running");
    }

    @Test
    void committed_transaction_is_visible_to_read_committed_consumer() {
        String topic = TestInfra.unique("tx-committed");
        TestInfra.createTopics(1, topic);

        long t0 = System.nanoTime();
        try (KafkaProducer<String, String> producer =
                     KafkaClients.transactionalProducer(TestInfra.bootstrapServers(), TestInfra.unique("tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
        }
        Measurements.record("first transactional producer init+commit (ms)",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     KafkaClients.readCommittedConsumer(TestInfra.bootstrapServers(), TestInfra.unique("g"))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                seen.addAll(KafkaClients.pollValues(consumer));
                assertThat(seen).containsExactly("committed-0", "committed-1", "committed-2");
            });
            // The group's offsets topic (replication 1) must accept a commit.
            consumer.commitSync();
        }
    }

    @Test
    void aborted_transaction_is_never_seen_by_read_committed_consumer() {
        String topic = TestInfra.unique("tx-aborted");
        TestInfra.createTopics(1, topic);

        try (KafkaProducer<String, String> producer =
                     KafkaClients.transactionalProducer(TestInfra.bootstrapServers(), TestInfra.unique("tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "a", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "a", "aborted-2"));
            producer.flush(); // The aborted records really are in the log, not just in the client's buffer.
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "c", "after-abort"));
            producer.commitTransaction();
        }

        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     KafkaClients.readCommittedConsumer(TestInfra.bootstrapServers(), TestInfra.unique("g"))) {
            consumer.subscribe(List.of(topic));
            // The record committed after the abort is the marker that the aborted ones were passed over.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                seen.addAll(KafkaClients.pollValues(consumer));
                assertThat(seen).contains("after-abort");
            });
        }
        assertThat(seen).containsExactly("after-abort");
    }
}
