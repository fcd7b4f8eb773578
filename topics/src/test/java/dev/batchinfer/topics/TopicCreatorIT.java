package dev.batchinfer.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Topic creation against the real broker, where topics made by an older catalogue already exist. */
class TopicCreatorIT {

  private final Topics topics = Topics.withPrefix(TestNamespace.create("topics").topicPrefix());
  private final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()));

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void a_request_topic_made_with_7_days_retention_is_raised_past_the_longest_completion_window() throws Exception {
    String normal = topics.requests(Priority.NORMAL).name();
    createWithRetention(normal, Duration.ofDays(7).toMillis());

    TopicCreator.ensure(admin, topics, (short) 1);

    // A config change reaches the brokers through the metadata log: a describe may see it a moment later.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(
        () -> assertThat(retentionMs(normal)).isEqualTo(Topics.REQUEST_RETENTION.toMillis()));
  }

  @Test
  void a_longer_or_unlimited_retention_set_by_an_operator_is_kept() throws Exception {
    String high = topics.requests(Priority.HIGH).name();
    String low = topics.requests(Priority.LOW).name();
    createWithRetention(high, Duration.ofDays(90).toMillis());
    createWithRetention(low, -1);

    TopicCreator.ensure(admin, topics, (short) 1);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(retentionMs(high)).isEqualTo(Duration.ofDays(90).toMillis());
      assertThat(retentionMs(low)).isEqualTo(-1);
    });
  }

  @Test
  void new_topics_get_the_replication_and_its_min_insync_replicas() throws Exception {
    TopicCreator.ensure(admin, topics, Replication.forCluster(1, java.util.Optional.empty(), java.util.Optional.empty()));

    String progress = topics.progress().name();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(
        () -> assertThat(config(progress, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)).isEqualTo(1));
    assertThat(admin.describeTopics(List.of(progress)).allTopicNames().get().get(progress).partitions())
        .allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
  }

  @Test
  void a_size_limit_on_a_request_topic_is_lifted() throws Exception {
    String normal = topics.requests(Priority.NORMAL).name();
    admin.createTopics(List.of(new NewTopic(normal, 6, (short) 1).configs(Map.of(
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(Topics.REQUEST_RETENTION.toMillis()),
        TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(1L << 30))))).all().get();

    TopicCreator.ensure(admin, topics, (short) 1);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(
        () -> assertThat(config(normal, TopicConfig.RETENTION_BYTES_CONFIG)).isEqualTo(-1));
  }

  private void createWithRetention(String name, long retentionMs) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, 6, (short) 1)
        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs))))).all().get();
  }

  private long retentionMs(String topic) throws Exception {
    return config(topic, TopicConfig.RETENTION_MS_CONFIG);
  }

  private long config(String topic, String name) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return Long.parseLong(admin.describeConfigs(List.of(r)).all().get().get(r).get(name).value());
  }
}
