package dev.batchinfer.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.config.Env;
import dev.batchinfer.topics.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProgressSettingsTest {

  @Test
  void standby_replicas_are_none_by_default_as_one_instance_needs() {
    assertThat(ProgressSettings.from(Env.of(Map.of())).standbyReplicas()).isZero();
  }

  @Test
  void STREAMS_STANDBY_REPLICAS_reaches_the_streams_config() {
    ProgressSettings s = ProgressSettings.from(Env.of(Map.of("STREAMS_STANDBY_REPLICAS", "1", "STREAMS_STATE_DIR", "/state")));
    assertThat(s.standbyReplicas()).isEqualTo(1);
    assertThat(s.stateDir()).isEqualTo(Path.of("/state"));

    var config = new StreamsConfig(ProgressService.streamsConfig("k:9092", Topics.DEFAULT, s.stateDir(), s.standbyReplicas()));
    assertThat(config.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
    assertThat(config.getString(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/state");
  }

  @Test
  void a_negative_count_stops_the_service_naming_the_setting() {
    assertThatThrownBy(() -> ProgressSettings.from(Env.of(Map.of("STREAMS_STANDBY_REPLICAS", "-1"))))
        .isInstanceOf(Env.SettingException.class).hasMessageContaining("STREAMS_STANDBY_REPLICAS");
  }
}
