package dev.batchinfer.config;

import dev.batchinfer.topics.TopicCreator;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Creates every topic of the catalogue and exits; run once before the services (docker-compose's
 * topics-init). Reads KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX and TOPIC_REPLICATION_FACTOR (default 1).
 */
public final class TopicInitMain {

  private TopicInitMain() {}

  public static void main(String[] args) {
    Env env = Env.system();
    CommonSettings settings = CommonSettings.from(env);
    short replication = (short) env.integer("TOPIC_REPLICATION_FACTOR", 1, 1, 32);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers()))) {
      TopicCreator.ensure(admin, settings.topics(), replication);
    }
    settings.topics().all().forEach(t -> System.out.println("topic ready: " + t.name() + " (" + t.partitions() + " partitions)"));
  }
}
