package dev.batchinfer.embedded;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The settings of a node of our KRaft clusters (broker and controller in one process): one node for the
 * standalone mode and most tests, three for the replicated cluster. Everything the cluster needs to accept
 * idempotent and transactional producers and Kafka Streams exactly_once_v2, and nothing that makes it slow
 * or heavy on two cores.
 */
final class KafkaNodeConfig {
    static final int NODE_ID = 1;
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String HOST = "127.0.0.1";

    private KafkaNodeConfig() {
    }

    static Properties of(Path logDir, KafkaClusterSpec cluster, int nodeId) {
        KafkaClusterSpec.Node node = cluster.node(nodeId);
        int brokerPort = node.brokerPort();
        int controllerPort = node.controllerPort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        // A static voter set (kraft.version 0): the controller ports are not written into the
        // formatted storage, so a one-node cluster may take a fresh controller port on every start.
        p.put("controller.quorum.voters", cluster.voters());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());

        // Internal topics as the system's own (topics.Replication): three copies, two in sync, on three
        // nodes or more; one on a single node, where more would leave transactions, consumer groups and
        // share groups waiting for replicas that never come.
        String copies = String.valueOf(KafkaClusterSpec.copies(cluster.size()));
        String inSync = String.valueOf(KafkaClusterSpec.inSync(cluster.size()));
        p.put("default.replication.factor", copies);
        p.put("min.insync.replicas", inSync);
        p.put("offsets.topic.replication.factor", copies);
        p.put("transaction.state.log.replication.factor", copies);
        p.put("transaction.state.log.min.isr", inSync);
        p.put("share.coordinator.state.topic.replication.factor", copies);
        p.put("share.coordinator.state.topic.min.isr", inSync);
        // The defaults (50 each) make the first group join / first transaction create 50 partitions.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.num.partitions", "5");

        // Topics are created explicitly by the system; a typo must fail, not create a topic.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // No reason to wait for more members on a test/standalone broker.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The 128 MB default would dominate the heap of a test JVM.
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("log.cleaner.threads", "1");

        // Two shared cores: fewer threads than the defaults.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        return p;
    }
}
