package dev.batchinfer.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.config.Env;
import dev.batchinfer.topics.message.Priority;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

  @Test
  void weights_are_read_as_high_normal_low() {
    assertThat(WorkerSettings.weights("16,4,1"))
        .containsExactlyInAnyOrderEntriesOf(Map.of(Priority.HIGH, 16, Priority.NORMAL, 4, Priority.LOW, 1));
  }

  @Test
  void spaces_around_the_weights_are_allowed() {
    assertThat(WorkerSettings.weights(" 8 , 2 ,1 "))
        .containsExactlyInAnyOrderEntriesOf(Map.of(Priority.HIGH, 8, Priority.NORMAL, 2, Priority.LOW, 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "16", "16,4", "16,4,1,1", "a,b,c", "16,four,1", "0,4,1", "16,-4,1", "16,,1",
      "16.5,4,1", "99999999999,4,1"})
  void bad_weights_give_a_setting_error_naming_the_variable(String text) {
    assertThatThrownBy(() -> WorkerSettings.weights(text))
        .isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("WORKER_PRIORITY_WEIGHTS");
  }

  @Test
  void the_default_weights_come_from_the_environment_when_unset() {
    WorkerSettings s = WorkerSettings.from(Env.of(Map.of()));

    assertThat(s.consuming().priorityWeights())
        .containsExactlyInAnyOrderEntriesOf(Map.of(Priority.HIGH, 16, Priority.NORMAL, 4, Priority.LOW, 1));
  }

  @Test
  void weights_set_in_the_environment_are_used() {
    WorkerSettings s = WorkerSettings.from(Env.of(Map.of("WORKER_PRIORITY_WEIGHTS", "9,3,1")));

    assertThat(s.consuming().priorityWeights())
        .containsExactlyInAnyOrderEntriesOf(Map.of(Priority.HIGH, 9, Priority.NORMAL, 3, Priority.LOW, 1));
  }

  @Test
  void a_bad_weight_in_the_environment_fails_settings_at_start() {
    assertThatThrownBy(() -> WorkerSettings.from(Env.of(Map.of("WORKER_PRIORITY_WEIGHTS", "high,normal,low"))))
        .isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("WORKER_PRIORITY_WEIGHTS");
  }

  @Test
  void the_fetch_wait_is_short_by_default_and_can_be_set() {
    assertThat(WorkerSettings.from(Env.of(Map.of())).consuming().fetchMaxWait()).isEqualTo(java.time.Duration.ofMillis(25));
    assertThat(WorkerSettings.from(Env.of(Map.of("WORKER_FETCH_MAX_WAIT", "500ms"))).consuming().fetchMaxWait())
        .isEqualTo(java.time.Duration.ofMillis(500));
  }
}
