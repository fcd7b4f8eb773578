package dev.batchinfer.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicationTest {

  @Test
  void the_defaults_follow_the_cluster_size() {
    assertThat(Replication.forCluster(1, Optional.empty(), Optional.empty())).isEqualTo(new Replication((short) 1, 1));
    assertThat(Replication.forCluster(2, Optional.empty(), Optional.empty())).isEqualTo(new Replication((short) 1, 1));
    assertThat(Replication.forCluster(3, Optional.empty(), Optional.empty())).isEqualTo(new Replication((short) 3, 2));
    assertThat(Replication.forCluster(5, Optional.empty(), Optional.empty())).isEqualTo(new Replication((short) 3, 2));
  }

  @Test
  void more_copies_than_brokers_is_refused_naming_the_setting_and_the_cluster() {
    assertThatThrownBy(() -> Replication.forCluster(1, Optional.of(3), Optional.empty()))
        .hasMessageContaining("TOPIC_REPLICATION_FACTOR=3").hasMessageContaining("has 1");
    assertThatThrownBy(() -> Replication.forCluster(3, Optional.of(3), Optional.of(4)))
        .hasMessageContaining("TOPIC_MIN_INSYNC_REPLICAS=4");
  }

  @Test
  void given_values_within_the_cluster_are_kept() {
    assertThat(Replication.forCluster(3, Optional.of(2), Optional.of(2))).isEqualTo(new Replication((short) 2, 2));
  }
}
