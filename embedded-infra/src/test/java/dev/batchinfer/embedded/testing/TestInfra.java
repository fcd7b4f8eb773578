package dev.batchinfer.embedded.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import dev.batchinfer.embedded.EmbeddedKafka;
import dev.batchinfer.embedded.EmbeddedRedis;
import dev.batchinfer.embedded.RedisLocator;
import dev.batchinfer.embedded.RedisPing;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The infrastructure of every module's integration tests, started once per test JVM on first use:
 * one in-process Kafka (temp dir, free port) and one Redis. Tests isolate themselves with
 * {@link #unique(String)} names instead of fresh servers: a broker start costs seconds, a name nothing.
 */
public final class TestInfra {
    /** The Redis that CI and the development machines run; shared, so use key prefixes. */
    static final String LOCAL_REDIS_URL = "redis://127.0.0.1:6379";

    private static EmbeddedKafka kafka;
    private static String redisUrl;

    private TestInfra() {
    }

    /** The JVM-wide broker. Restarted if a test stopped it and failed before bringing it back. */
    public static synchronized EmbeddedKafka kafka() {
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
        return kafka().bootstrapServers();
    }

    /**
     * REDIS_URL if set; else the local Redis at 127.0.0.1:6379 if it answers PING; else an embedded Redis
     * (stopped by its own shutdown hook).
     */
    public static synchronized String redisUrl() {
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

    /** Creates topics with replication factor 1 on the shared broker (auto-creation is off, as in production). */
    public static void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> topics = java.util.Arrays.stream(names)
                    .map(name -> new NewTopic(name, partitions, (short) 1)).toList();
            admin.createTopics(topics).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create " + List.of(names), e.getCause());
        }
    }
}
