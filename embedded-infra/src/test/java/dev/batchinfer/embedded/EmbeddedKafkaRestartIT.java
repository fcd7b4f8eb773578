package dev.batchinfer.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses its own brokers: stopping the JVM-wide one would disturb other tests. */
class EmbeddedKafkaRestartIT {

    @TempDir
    Path dir;

    @Test
    void committed_data_survives_stop_and_restart_on_the_same_port() throws Exception {
        int port = FreePorts.pick();
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), port)) {
            Measurements.record("broker start incl. format (ms)", millisSince(t0));
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);

            String topic = "restart-test";
            createTopic(kafka, topic);
            commit(kafka, topic, "before-restart");

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            long t1 = System.nanoTime();
            kafka.restart();
            Measurements.record("broker restart after stop(), same JVM (ms)", millisSince(t1));
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);

            commit(kafka, topic, "after-restart");
            assertThat(readAll(kafka, topic, 2)).containsExactly("before-restart", "after-restart");
        }
        assertThat(dir.resolve("kafka")).as("a caller's dir is kept").isDirectory();
    }

    @Test
    void stopped_broker_makes_clients_time_out_and_restart_brings_it_back() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.stop();
            long t0 = System.nanoTime();
            try (Admin admin = admin(kafka)) {
                // The behaviour: with nobody listening the call ends in the client's own timeout
                // (it neither hangs nor reaches a broker). How long that took depends on the
                // machine, so it is recorded, not asserted.
                assertThatThrownBy(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(1_000))
                        .nodes().get()).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TimeoutException.class);
            }
            Measurements.record("client call to a stopped broker, 1 s timeout (ms)", millisSince(t0));

            kafka.restart();
            try (Admin admin = admin(kafka)) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(1);
            }
        }
    }

    @Test
    void a_new_instance_on_a_formatted_dir_keeps_the_data() throws Exception {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafka first = EmbeddedKafka.start(data)) {
            createTopic(first, "kept");
            commit(first, "kept", "from-first-instance");
        }
        long t0 = System.nanoTime();
        try (EmbeddedKafka second = EmbeddedKafka.start(data)) {
            Measurements.record("broker start on an already formatted dir, new instance (ms)", millisSince(t0));
            assertThat(readAll(second, "kept", 1)).containsExactly("from-first-instance");
        }
    }

    @Test
    void temp_broker_deletes_its_dir_on_close() {
        Path data;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            data = kafka.dataDir();
            assertThat(data).isDirectory();
        }
        assertThat(Files.exists(data)).isFalse();
    }

    private static void createTopic(EmbeddedKafka kafka, String topic) throws Exception {
        try (Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    private static void commit(EmbeddedKafka kafka, String topic, String value) {
        try (KafkaProducer<String, String> producer =
                     KafkaClients.transactionalProducer(kafka.bootstrapServers(), "restart-" + value)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, value, value));
            producer.commitTransaction();
        }
    }

    private static List<String> readAll(EmbeddedKafka kafka, String topic, int expected) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     KafkaClients.readCommittedConsumer(kafka.bootstrapServers(), "reader-" + System.nanoTime())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                seen.addAll(KafkaClients.pollValues(consumer));
                assertThat(seen).hasSizeGreaterThanOrEqualTo(expected);
            });
        }
        return seen;
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
