package dev.batchinfer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {

  @Test
  void a_system_call_and_a_first_page_touch_take_a_measurable_time() {
    // Bounds no real host comes near: they catch a unit slip (ns for us) or a loop that measured nothing.
    assertThat(Machine.systemCallMicros()).isBetween(0.01, 100.0);
    assertThat(Machine.pageFirstTouchMicros()).isBetween(0.01, 1000.0);
  }

  @Test
  void the_machine_section_names_what_the_kernel_charges() {
    assertThat(Machine.describe()).containsKeys("cpu", "cores", "system_call_us", "page_first_touch_us", "meltdown_mitigation");
  }
}
