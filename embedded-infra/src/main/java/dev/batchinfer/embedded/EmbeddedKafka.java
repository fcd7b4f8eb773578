package dev.batchinfer.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka (KRaft, broker and controller in one node) inside this JVM, listening
 * on 127.0.0.1 only. For the standalone mode and for integration tests; there is no Docker here.
 *
 * <p>{@link #stop()} and {@link #restart()} keep the ports and the data, so a test can take the broker
 * away and bring it back. A crashed JVM cannot leak anything but the data dir: the broker is in-process.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** Startup is ~3-4 s on two busy cores; a minute means something is really wrong. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final KafkaClusterSpec cluster;
    private final int nodeId;
    private final int brokerPort;
    private final int controllerPort;
    private final KafkaConfig config;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, boolean deleteOnClose, KafkaClusterSpec cluster, int nodeId) {
        this.dataDir = dataDir.toAbsolutePath();
        this.deleteOnClose = deleteOnClose;
        this.cluster = cluster;
        this.nodeId = nodeId;
        this.brokerPort = cluster.node(nodeId).brokerPort();
        this.controllerPort = cluster.node(nodeId).controllerPort();
        this.config = KafkaConfig.fromProps(KafkaNodeConfig.of(this.dataDir, cluster, nodeId), false);
    }

    /** A broker in a new temp dir on free ports; {@link #close()} deletes the dir. */
    public static EmbeddedKafka start() {
        try {
            return start(Files.createTempDirectory("embedded-kafka-"), FreePorts.pick(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A broker on free ports, keeping its data in {@code dataDir} (formatted on first use, then reused). */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, FreePorts.pick(), false);
    }

    /**
     * A broker on a fixed client port (standalone mode uses 9092), data in {@code dataDir}. The dir must be
     * Kafka's alone: Kafka treats every sub-directory as a partition.
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort) {
        return start(dataDir, brokerPort, false);
    }

    /**
     * Node {@code nodeId} of a multi-node cluster, data in {@code dataDir}. It answers once a quorum of the
     * spec's voters runs, so the nodes of a cluster are started side by side, each in a process of its own.
     */
    public static EmbeddedKafka startNode(Path dataDir, KafkaClusterSpec cluster, int nodeId) {
        return start(dataDir, cluster, nodeId, false);
    }

    private static EmbeddedKafka start(Path dataDir, int brokerPort, boolean deleteOnClose) {
        if (brokerPort <= 0 || brokerPort > 65535) {
            throw new IllegalArgumentException("broker port " + brokerPort);
        }
        // One node; the cluster id is the formatted dir's when it is reused (a new one is formatted only once).
        KafkaClusterSpec single = new KafkaClusterSpec(org.apache.kafka.common.Uuid.randomUuid().toString(),
                java.util.List.of(new KafkaClusterSpec.Node(KafkaNodeConfig.NODE_ID, brokerPort, FreePorts.pick())));
        return start(dataDir, single, KafkaNodeConfig.NODE_ID, deleteOnClose);
    }

    private static EmbeddedKafka start(Path dataDir, KafkaClusterSpec cluster, int nodeId, boolean deleteOnClose) {
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, deleteOnClose, cluster, nodeId);
        try {
            KafkaStorage.formatIfNeeded(kafka.dataDir, nodeId, cluster.clusterId());
            kafka.startServer();
            return kafka;
        } catch (Exception | Error e) {
            kafka.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException("Kafka did not start", e);
        }
    }

    public String bootstrapServers() {
        return KafkaNodeConfig.HOST + ":" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker and controller; ports are freed, data is kept for {@link #restart()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer s = server;
        server = null;
        s.shutdown();
        s.awaitShutdown();
        log.info("Kafka at {} stopped in {} ms", bootstrapServers(), millisSince(t0));
    }

    /** Starts again on the same ports with the same data; a no-op if running. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (server == null) {
            startServer();
        }
    }

    /** Stops the broker; deletes the data dir only if {@link #start()} created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (deleteOnClose) {
                try {
                    Utils.delete(dataDir.toFile());
                } catch (IOException e) {
                    log.warn("could not delete {}", dataDir, e);
                }
            }
        }
    }

    private synchronized void startServer() {
        long t0 = System.nanoTime();
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        server = s;
        try {
            s.startup();
            awaitBrokerAnswers();
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        log.info("Kafka node {} of {} at {} (controller {}, data {}) ready in {} ms",
                nodeId, cluster.size(), bootstrapServers(), controllerPort, dataDir, millisSince(t0));
    }

    /**
     * startup() returning is not the contract we promise: callers want a broker that answers.
     * Admin retries connection failures internally until the call's timeout, so one call is a wait.
     */
    private void awaitBrokerAnswers() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness",
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IllegalStateException("Kafka at " + bootstrapServers() + " not ready in " + READY_TIMEOUT);
                }
                // A broker that is up but not yet registered/unfenced reports no nodes: ask again.
                if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) left))
                        .nodes().get().isEmpty()) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Kafka", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers() + " not ready", e.getCause());
        }
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + dataDir + "]";
    }
}
