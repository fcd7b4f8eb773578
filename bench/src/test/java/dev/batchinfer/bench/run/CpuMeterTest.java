package dev.batchinfer.bench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

  @Test
  void the_cpu_a_process_burns_after_begin_is_counted_for_it_and_its_threads() throws Exception {
    CpuMeter meter = new CpuMeter().watch("self", ProcessHandle.current().pid()).begin();
    Thread burner = new Thread(CpuMeterTest::burnQuarterSecondOfCpu, "burner-1");
    burner.start();
    burner.join();
    assertThat(meter.seconds().get("self")).isGreaterThanOrEqualTo(0.2);
    // Threads named alike are one kind; digits stand as '#'. An ended thread's time stays in the
    // process's total only, so measure one that is still alive.
    Thread alive = new Thread(() -> {
      burnQuarterSecondOfCpu();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // asked to end
      }
    }, "burner-2");
    CpuMeter again = new CpuMeter().watch("self", ProcessHandle.current().pid()).begin();
    alive.start();
    while (ManagementFactory.getThreadMXBean().getThreadCpuTime(alive.getId()) < 250_000_000L) {
      Thread.sleep(10);
    }
    try {
      assertThat(again.threadSeconds(Integer.MAX_VALUE).get("self").get("burner-#")).isGreaterThanOrEqualTo(0.2);
    } finally {
      alive.interrupt();
      alive.join();
    }
  }

  @Test
  void run_queue_wait_is_the_second_field_of_schedstat() {
    assertThat(CpuMeter.runDelayNanos("432876087 638168 13\n")).isEqualTo(638_168L);
  }

  @Test
  void more_busy_threads_than_cpus_wait_for_one_where_the_kernel_counts_it() throws Exception {
    CpuMeter meter = new CpuMeter().watch("self", ProcessHandle.current().pid()).begin();
    int cpus = Runtime.getRuntime().availableProcessors();
    java.util.concurrent.CountDownLatch burnt = new java.util.concurrent.CountDownLatch(cpus + 1);
    java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i <= cpus; i++) {
      // Alive until measured: the wait of threads that ended is not counted.
      Thread burner = new Thread(() -> {
        burnQuarterSecondOfCpu();
        burnt.countDown();
        try {
          measured.await();
        } catch (InterruptedException e) {
          // asked to end
        }
      }, "waiter-" + i);
      burner.setDaemon(true);
      burner.start();
    }
    burnt.await();
    try {
      Map<String, Double> waits = meter.waitSeconds();
      if (CpuMeter.runDelayCounted()) {
        // One CPU too few for them: together they waited while the others ran.
        assertThat(waits.get("self")).isGreaterThan(0.0);
      } else {
        assertThat(waits).isEmpty();
      }
    } finally {
      measured.countDown();
    }
  }

  private static void burnQuarterSecondOfCpu() {
    var threads = ManagementFactory.getThreadMXBean();
    long x = 0;
    while (threads.getCurrentThreadCpuTime() < 250_000_000L) {
      for (int i = 0; i < 100_000; i++) {
        x += i * 31L ^ x;
      }
    }
    if (x == 42) {
      System.out.println(x); // keeps the loop from being removed
    }
  }
}
