package dev.batchinfer.embedded.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

  @Test
  void heapUseIsTheLargestBeforeAfterAndCommittedSeenInTheGcLog() {
    ChildJvm.HeapUse h = ChildJvm.HeapUse.fromGcLog(List.of(
        "[0.512s][info][gc] Using G1",
        "[1.201s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 25M->6M(256M) 3.123ms",
        "[2.402s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 1G->40M(1G) 5.0ms",
        "[3.000s][info][gc] GC(2) Pause Young (Concurrent Start) (G1 Humongous Allocation) 900K->512K(256M) 1.0ms"));
    assertThat(h.peakUsedBytes()).isEqualTo(1L << 30);
    assertThat(h.peakLiveBytes()).isEqualTo(40L << 20);
    assertThat(h.peakCommittedBytes()).isEqualTo(1L << 30);
  }

  @Test
  void aLogWithoutCollectionsGivesZeros() {
    assertThat(ChildJvm.HeapUse.fromGcLog(List.of("[0.5s][info][gc] Using G1"))).isEqualTo(new ChildJvm.HeapUse(0, 0, 0));
  }
}
