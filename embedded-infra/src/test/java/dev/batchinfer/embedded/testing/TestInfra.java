package dev.batchinfer.embedded.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import dev.batchinfer.embedded.EmbeddedKafka;
import dev.batchinfer.embedded.EmbeddedRedis;
import dev.batchinfer.embedded.KafkaClusterSpec;
import dev.batchinfer.embedded.RedisLocator;
import dev.batchinfer.embedded.RedisPing;
import dev.batchinfer.embedded.proc.KafkaProcessCluster;
import dev.batchinfer.embedded.proc.RedisCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The infrastructure of every module's integration tests, started once per test JVM on first use:
 * one in-process Kafka (temp dir, free port) and one Redis. Tests isolate themselves with
 * {@link #unique(String)} names instead of fresh servers: a broker start costs seconds, a name nothing.
 *
 * <p>With the system property {@code it.infra=replicated} the same tests run on the replicated shape instead:
 * three KRaft brokers and a three-master Redis Cluster, every node an OS process of its own (started once per
 * test JVM, stopped when it exits). A test that stops the broker itself ({@link #kafka()}) cannot run so.
 */
public final class TestInfra {
    /** The Redis that CI and the development machines run; shared, so use key prefixes. */
    static final String LOCAL_REDIS_URL = "redis://127.0.0.1:6379";
    /** The system property that picks the replicated shape. */
    public static final String INFRA_PROPERTY = "it.infra";

    private static EmbeddedKafka kafka;
    private static String redisUrl;
    private static Replicated replicated;

    /** Three broker processes and a Redis Cluster, for the JVM's life. */
    private record Replicated(KafkaProcessCluster kafka, RedisCluster redis) {
        static Replicated start() {
            try {
                Path dir = Files.createTempDirectory("replicated-infra-");
                KafkaProcessCluster k = KafkaProcessCluster.start(dir, 3, "384m");
                RedisCluster r;
                try {
                    r = RedisCluster.start(dir, 3);
                } catch (RuntimeException e) {
                    k.close();
                    throw e;
                }
                Replicated started = new Replicated(k, r);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    k.close();
                    r.close();
                    try {
                        org.apache.kafka.common.utils.Utils.delete(dir.toFile());
                    } catch (java.io.IOException e) {
                        System.err.println("could not delete " + dir + ": " + e);
                    }
                }, "test-infra-replicated-stopper"));
                return started;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private TestInfra() {
    }

    /** Whether this JVM's tests run on three brokers and a Redis Cluster. */
    public static boolean isReplicated() {
        return "replicated".equals(System.getProperty(INFRA_PROPERTY));
    }

    private static synchronized Replicated replicated() {
        if (replicated == null) {
            replicated = Replicated.start();
        }
        return replicated;
    }

    /** How many brokers the tests' Kafka has: what topics are replicated for. */
    public static int brokers() {
        return isReplicated() ? replicated().kafka().size() : 1;
    }

    /** The JVM-wide broker. Restarted if a test stopped it and failed before bringing it back. */
    public static synchronized EmbeddedKafka kafka() {
        if (isReplicated()) {
            throw new IllegalStateException("a test that stops the in-process broker cannot run with " + INFRA_PROPERTY
                    + "=replicated");
        }
        if (kafka == null) {
            EmbeddedKafka started = EmbeddedKafka.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-infra-kafka-stopper"));
            kafka = started;
        } else if (!kafka.isRunning()) {
            kafka.restart();
        }
        return kafka;
    }

    public static String bootstrapServers() {
        return isReplicated() ? replicated().kafka().bootstrapServers() : kafka().bootstrapServers();
    }

    /**
     * REDIS_URL if set; else the local Redis at 127.0.0.1:6379 if it answers PING; else an embedded Redis
     * (stopped by its own shutdown hook).
     */
    public static synchronized String redisUrl() {
        if (redisUrl == null && isReplicated()) {
            redisUrl = replicated().redis().url();
        }
        if (redisUrl == null) {
            String env = System.getenv(RedisLocator.REDIS_URL_ENV);
            if (env != null && !env.isBlank()) {
                redisUrl = env.strip();
            } else if (RedisPing.answers("127.0.0.1", 6379, Duration.ofMillis(500))) {
                redisUrl = LOCAL_REDIS_URL;
            } else {
                redisUrl = EmbeddedRedis.start(0).url();
            }
        }
        return redisUrl;
    }

    /** {@code prefix-<random>}: a topic name, group id or Redis key prefix no other test uses. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Creates topics on the shared brokers, one copy per broker up to three (auto-creation is off, as in production). */
    public static void createTopics(int partitions, String... names) {
        short copies = KafkaClusterSpec.copies(brokers());
        Map<String, String> inSync = Map.of("min.insync.replicas", String.valueOf(KafkaClusterSpec.inSync(brokers())));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> topics = java.util.Arrays.stream(names)
                    .map(name -> new NewTopic(name, partitions, copies).configs(inSync)).toList();
            admin.createTopics(topics).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create " + List.of(names), e.getCause());
        }
    }
}
