package dev.batchinfer.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeploymentTest {

  private final Deployment tenPercent = new Deployment("1.0.0", new Deployment.Canary("2.0.0", 0.10), List.of("2.0.0"),
      List.of(), List.of("0.9.0"), List.of(), List.of(), 1);

  @Test
  void a_ten_percent_canary_takes_between_five_and_fifteen_percent_of_a_thousand_batches() {
    int canary = 0;
    for (int i = 0; i < 1000; i++) {
      // Fixed ids: the test is deterministic; the hash spreads them like random ones.
      String id = UUID.nameUUIDFromBytes(("batch-" + i).getBytes()).toString();
      if (tenPercent.route(id).equals("2.0.0")) {
        canary++;
      }
    }
    assertThat(canary).isBetween(50, 150);
  }

  @Test
  void the_same_batch_is_always_routed_to_the_same_version() {
    for (int i = 0; i < 100; i++) {
      String id = UUID.randomUUID().toString();
      assertThat(tenPercent.route(id)).isEqualTo(tenPercent.route(id));
    }
  }

  @Test
  void promote_remembers_the_previous_production_and_rollback_returns_to_it_with_the_reason() {
    Deployment promoted = tenPercent.promote("2.0.0", "canary looked good", 1);
    assertThat(promoted.production()).isEqualTo("2.0.0");
    assertThat(promoted.canary()).isNull();
    assertThat(promoted.previousProduction()).containsExactly("1.0.0");
    assertThat(promoted.revision()).isEqualTo(2);

    Deployment back = promoted.rollback("error rate up", 2);
    assertThat(back.production()).isEqualTo("1.0.0");
    assertThat(back.staging()).contains("2.0.0");
    assertThat(back.history()).last().satisfies(c -> {
      assertThat(c.change()).contains("2.0.0 -> 1.0.0");
      assertThat(c.reason()).isEqualTo("error rate up");
    });
    assertThatThrownBy(() -> Deployment.of("1.0.0").rollback("nothing before", 3)).isInstanceOf(RolloutException.class);
  }

  @Test
  void demoting_the_canary_sends_all_traffic_to_production_and_records_why() {
    Deployment demoted = tenPercent.demoteCanary("too many errors", 5);
    assertThat(demoted.canary()).isNull();
    assertThat(demoted.route(UUID.randomUUID().toString())).isEqualTo("1.0.0");
    assertThat(demoted.stageOf("2.0.0")).contains("shadow");
    assertThat(demoted.history()).last().extracting(Deployment.Change::reason).isEqualTo("too many errors");
  }

  @Test
  void stages_are_reported_per_version() {
    assertThat(tenPercent.stageOf("1.0.0")).contains("production");
    assertThat(tenPercent.stageOf("2.0.0")).contains("canary");
    assertThat(tenPercent.stageOf("0.9.0")).contains("archived");
    assertThat(tenPercent.stageOf("3.0.0")).isEmpty();
  }
}
