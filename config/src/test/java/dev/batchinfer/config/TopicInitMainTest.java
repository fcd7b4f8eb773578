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
}
