package dev.batchinfer.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dev.batchinfer.embedded.testing.TestInfra;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaStreamsExactlyOnceIT {

    @TempDir
    Path stateDir;

    @Test
    void exactly_once_v2_streams_app_reaches_running_and_commits_its_output() {
        String in = TestInfra.unique("streams-in");
        String out = TestInfra.unique("streams-out");
        TestInfra.createTopics(1, in, out);

        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(in).mapValues(v -> v.toUpperCase()).to(out);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, TestInfra.unique("eos-app"));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        try {
            long t0 = System.nanoTime();
            streams.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
            Measurements.record("Kafka Streams exactly_once_v2 to RUNNING (ms)", (System.nanoTime() - t0) / 1_000_000);

            try (KafkaProducer<String, String> producer =
                         KafkaClients.transactionalProducer(TestInfra.bootstrapServers(), TestInfra.unique("tx"))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(in, "k", "hello"));
                producer.commitTransaction();
            }

            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer =
                         KafkaClients.readCommittedConsumer(TestInfra.bootstrapServers(), TestInfra.unique("g"))) {
                consumer.subscribe(List.of(out));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    seen.addAll(KafkaClients.pollValues(consumer));
                    assertThat(seen).containsExactly("HELLO");
                });
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }
}
