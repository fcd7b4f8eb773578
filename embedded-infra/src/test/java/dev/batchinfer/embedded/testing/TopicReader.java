package dev.batchinfer.embedded.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic, as it stands now, without joining any consumer group. */
public final class TopicReader {

    private TopicReader() {
    }

    /**
     * The sum of the topic's end offsets (high watermarks): it moves with every record a producer
     * wrote, committed, aborted or still open, so an unchanged sum means nothing was written.
     */
    public static long endOffsetTotal(String topic) {
        return endOffsetTotal(topic, false);
    }

    /**
     * With {@code committedOnly}, the sum of the last stable offsets: it lags {@link #endOffsetTotal(String)}
     * while a transaction is open on the topic and catches up when that transaction commits or aborts.
     */
    public static long endOffsetTotal(String topic, boolean committedOnly) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * {@link #endOffsetTotal(String)} once no transaction on the topic awaits its marker. A producer's
     * commit returns before the broker has written the commit markers, and each marker takes an
     * offset; counting before it lands would see a write where there was none.
     */
    public static long settledEndOffsetTotal(String topic) {
        // The first look is at once: most calls find the markers already in. In the caller's thread,
        // as before Awaitility: no pool of its own in every test JVM that counts heap or threads.
        return await("no transaction on " + topic + " left without its marker")
                .pollInSameThread()
                .atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> settledOrNull(topic), Objects::nonNull);
    }

    /** The end offset total if the last stable offsets have caught up with it, else null. */
    private static Long settledOrNull(String topic) {
        long all = endOffsetTotal(topic, false);
        return endOffsetTotal(topic, true) == all ? all : null;
    }

    /** What a read_committed reader sees once every transaction on {@code topic} has ended and its marker is in. */
    public static List<ConsumerRecord<byte[], byte[]>> readCommittedOnceSettled(String topic) {
        settledEndOffsetTotal(topic);
        return readAll(topic, true);
    }

    /**
     * Every record up to the current end of {@code topic}.
     *
     * @param committedOnly read_committed (what workers see) or read_uncommitted (everything a
     *     producer wrote, aborted transactions included)
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, boolean committedOnly) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 30 s");
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
