package dev.batchinfer.config;

import dev.batchinfer.topics.Replication;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Creates every topic of the catalogue and exits; run once before the services (docker-compose's
 * topics-init). Reads KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX, TOPIC_REPLICATION_FACTOR and
 * TOPIC_MIN_INSYNC_REPLICAS (defaults: 3 and 2 on three brokers or more, 1 and 1 on fewer), and
 * refuses a replication the cluster cannot keep; REQUEST_TOPIC_PARTITIONS (default 6) is how many
 * partitions each request topic gets, the most workers that have work at once.
 */
public final class TopicInitMain {

  private TopicInitMain() {}

  public static void main(String[] args) throws InterruptedException {
    Env env = Env.system();
    CommonSettings settings = CommonSettings.from(env);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers()))) {
      Replication replication = replication(env, brokers(admin));
      Topics topics = topics(env, settings);
      TopicCreator.ensure(admin, topics, replication);
      topics.all().forEach(t -> System.out.println("topic ready: " + t.name() + " (" + t.partitions()
          + " partitions, " + replication.factor() + " replicas, " + replication.minInSync() + " in sync)"));
    }
  }

  /** The catalogue with the request partitions the settings ask for. */
  static Topics topics(Env env, CommonSettings settings) {
    return settings.topics().withRequestPartitions(
        env.integer("REQUEST_TOPIC_PARTITIONS", Topics.DEFAULT_REQUEST_PARTITIONS, 1, 1024));
  }

  /** The replication the settings ask for, checked against a cluster of {@code brokers}. */
  static Replication replication(Env env, int brokers) {
    try {
      return Replication.forCluster(brokers, optional(env, "TOPIC_REPLICATION_FACTOR"), optional(env, "TOPIC_MIN_INSYNC_REPLICAS"));
    } catch (IllegalArgumentException e) {
      throw new Env.SettingException(e.getMessage());
    }
  }

  private static Optional<Integer> optional(Env env, String name) {
    String v = env.string(name, "").trim();
    return v.isEmpty() ? Optional.empty() : Optional.of(env.integer(name, 1, 1, 32));
  }

  private static int brokers(Admin admin) throws InterruptedException {
    try {
      return admin.describeCluster().nodes().get().size();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot reach Kafka at KAFKA_BOOTSTRAP_SERVERS: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
