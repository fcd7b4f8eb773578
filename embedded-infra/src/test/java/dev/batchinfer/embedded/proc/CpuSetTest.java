package dev.batchinfer.embedded.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSetTest {

  @Test
  void a_list_reads_and_writes_in_linux_syntax() {
    CpuSet set = CpuSet.parse("6, 2-3,1");
    assertThat(set.size()).isEqualTo(4);
    assertThat(set.toString()).isEqualTo("1-3,6");
    assertThat(set.taskset()).containsExactly("taskset", "-c", "1-3,6");
  }

  @Test
  void the_rest_of_the_machine_is_what_the_inference_cpus_leave() {
    CpuSet machine = CpuSet.first(4);
    CpuSet inference = CpuSet.parse("1-2");
    assertThat(inference.within(machine)).isTrue();
    assertThat(machine.without(inference).toString()).isEqualTo("0,3");
    assertThat(CpuSet.parse("3-5").within(machine)).isFalse();
    assertThat(machine.without(CpuSet.first(4)).size()).isZero();
  }

  @Test
  void what_is_not_a_cpu_list_is_named() {
    for (String bad : new String[] {"", "a", "3-1", "1-2-3", "-1"}) {
      assertThatThrownBy(() -> CpuSet.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a CPU list");
    }
  }

  @Test
  void this_process_moves_to_fewer_cpus_and_back() throws Exception {
    CpuSet all = CpuSet.ofThisProcess();
    assumeTrue(all.size() > 1, "needs two CPUs");
    CpuSet one = CpuSet.parse(Integer.toString(all.cpus().nextSetBit(0)));
    try {
      one.pinThisProcess();
      assertThat(CpuSet.ofThisProcess()).isEqualTo(one);
      assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
    } finally {
      all.pinThisProcess();
    }
    assertThat(CpuSet.ofThisProcess()).isEqualTo(all);
  }

  @Test
  void a_child_jvm_started_on_some_cpus_sees_only_those() throws Exception {
    CpuSet all = CpuSet.ofThisProcess();
    assumeTrue(all.size() > 1, "needs two CPUs");
    CpuSet one = CpuSet.parse(Integer.toString(all.cpus().previousSetBit(all.cpus().length())));
    Path dir = Files.createTempDirectory("cpuset-test");
    try (ChildJvm child = ChildJvm.start("cpus", CpuCount.class.getName(), "64m", List.of(), Map.of(), dir, 0, one)) {
      assertThat(child.awaitLastLine(CpuCount.PREFIX, Duration.ofSeconds(30))).isEqualTo("1");
    }
  }

  /** A child that says how many CPUs it may use. */
  public static final class CpuCount {
    static final String PREFIX = "cpus: ";

    public static void main(String[] args) {
      System.out.println(PREFIX + Runtime.getRuntime().availableProcessors());
    }
  }
}
