package dev.batchinfer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.topics.Replication;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicInitMainTest {

  @Test
  void the_replication_follows_the_cluster_unless_set_and_an_impossible_one_stops_the_initialiser() {
    assertThat(TopicInitMain.replication(Env.of(Map.of()), 1)).isEqualTo(Replication.SINGLE);
    assertThat(TopicInitMain.replication(Env.of(Map.of()), 3)).isEqualTo(new Replication((short) 3, 2));
    assertThat(TopicInitMain.replication(Env.of(Map.of("TOPIC_REPLICATION_FACTOR", "2")), 3))
        .isEqualTo(new Replication((short) 2, 1));
    assertThatThrownBy(() -> TopicInitMain.replication(Env.of(Map.of("TOPIC_REPLICATION_FACTOR", "3")), 1))
        .isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("TOPIC_REPLICATION_FACTOR=3 needs at least 3 brokers");
  }

  @Test
  void request_topics_get_the_partitions_asked_for_and_the_other_topics_keep_theirs() {
    CommonSettings common = CommonSettings.from(Env.of(java.util.Map.of()));
    dev.batchinfer.topics.Topics sixteen = TopicInitMain.topics(Env.of(java.util.Map.of("REQUEST_TOPIC_PARTITIONS", "16")), common);
    for (var p : dev.batchinfer.topics.message.Priority.values()) {
      org.assertj.core.api.Assertions.assertThat(sixteen.requests(p).partitions()).isEqualTo(16);
    }
    org.assertj.core.api.Assertions.assertThat(sixteen.progress().partitions()).isEqualTo(common.topics().progress().partitions());
    org.assertj.core.api.Assertions.assertThat(TopicInitMain.topics(Env.of(java.util.Map.of()), common).requests(
        dev.batchinfer.topics.message.Priority.NORMAL).partitions()).isEqualTo(dev.batchinfer.topics.Topics.DEFAULT_REQUEST_PARTITIONS);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TopicInitMain.topics(
        Env.of(java.util.Map.of("REQUEST_TOPIC_PARTITIONS", "0")), common)).hasMessageContaining("REQUEST_TOPIC_PARTITIONS");
  }
}
