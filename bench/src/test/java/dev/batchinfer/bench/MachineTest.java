package dev.batchinfer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class MachineTest {

  private static final Logger log = LoggerFactory.getLogger(MachineTest.class);

  @Test
  void a_system_call_and_a_first_page_touch_are_measured_as_positive_finite_times() {
    double systemCall = Machine.systemCallMicros();
    double pageTouch = Machine.pageFirstTouchMicros();
    // How fast they are depends on the host (and on who else shares its cores), so only their
    // shape is checked here: NaN means /dev/zero could not be read, 0 a loop that timed nothing.
    // The figures themselves go to the log, and into the report through Machine.describe().
    log.info("system call {} us, first page touch {} us", systemCall, pageTouch);
    assertThat(systemCall).isFinite().isPositive();
    assertThat(pageTouch).isFinite().isPositive();
  }

  @Test
  void the_machine_section_names_what_the_kernel_charges() {
    assertThat(Machine.describe()).containsKeys("cpu", "cores", "system_call_us", "page_first_touch_us", "meltdown_mitigation");
  }
}
