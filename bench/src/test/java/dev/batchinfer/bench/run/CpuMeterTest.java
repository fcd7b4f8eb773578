package dev.batchinfer.bench.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.proc.CpuSet;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Every check here holds however fast or busy the machine is: the threads burn a fixed amount of
 * their own CPU time (not of wall time), and what the meter reads from /proc is held against what
 * the JVM's own clock says those threads used, within the clock ticks /proc counts in.
 */
class CpuMeterTest {

  /** CPU time each burner uses, by its own clock. */
  private static final long BURN_NANOS = 250_000_000L;
  /**
   * How far the meter may read below a thread's own clock: /proc truncates user and system time to
   * ticks of 10 ms each, and the meter rounds to 10 ms.
   */
  private static final double TICKS = 0.03;

  @Test
  void the_cpu_a_process_burns_after_begin_is_counted_for_it() throws Exception {
    CpuMeter meter = new CpuMeter().watch("self", ProcessHandle.current().pid()).begin();
    long[] burnt = new long[1];
    Thread burner = new Thread(() -> burnt[0] = burn(), "burner-1");
    burner.start();
    burner.join();
    // The process used at least what the burner did; its other threads count too.
    assertThat(meter.seconds().get("self")).isGreaterThanOrEqualTo(burnt[0] / 1e9 - TICKS);
  }

  @Test
  void a_thread_counts_under_its_kind_and_only_its_own_time() throws Exception {
    CpuMeter meter = new CpuMeter().watch("self", ProcessHandle.current().pid()).begin();
    // An ended thread's time stays in the process's total only, so the burner stays alive until read.
    CountDownLatch burnt = new CountDownLatch(1);
    CountDownLatch measured = new CountDownLatch(1);
    Thread alive = new Thread(() -> {
      burn();
      burnt.countDown();
      awaitQuietly(measured);
    }, "burner-2");
    alive.start();
    try {
      burnt.await();
      long before = threadCpuNanos(alive);
      Map<String, Double> kinds = meter.threadSeconds(Integer.MAX_VALUE).get("self");
      long after = threadCpuNanos(alive);
      // Threads named alike are one kind, digits standing as '#'; this kind is this one thread.
      assertThat(kinds).containsKey("burner-#");
      assertThat(kinds.get("burner-#")).isBetween(before / 1e9 - TICKS, after / 1e9 + 0.01);
    } finally {
      measured.countDown();
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
    // The CPUs these threads may run on (they inherit this thread's affinity), not a quota's count:
    // with one thread more than that, all burning from the same moment, one always waits until the
    // first is done, for a quarter of a second of waiting at least, on any machine.
    int cpus = CpuSet.parse(allowedCpus()).size();
    CyclicBarrier together = new CyclicBarrier(cpus + 1);
    CountDownLatch burnt = new CountDownLatch(cpus + 1);
    CountDownLatch measured = new CountDownLatch(1);
    for (int i = 0; i <= cpus; i++) {
      // Alive until measured: the wait of threads that ended is not counted.
      Thread burner = new Thread(() -> {
        try {
          together.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        burn();
        burnt.countDown();
        awaitQuietly(measured);
      }, "waiter-" + i);
      burner.setDaemon(true);
      burner.start();
    }
    burnt.await();
    try {
      Map<String, Double> waits = meter.waitSeconds();
      if (CpuMeter.runDelayCounted()) {
        assertThat(waits.get("self")).isGreaterThan(0.0);
      } else {
        assertThat(waits).isEmpty();
      }
    } finally {
      measured.countDown();
    }
  }

  /** "Cpus_allowed_list" of this thread: the CPUs it and the threads it starts may run on. */
  private static String allowedCpus() throws Exception {
    return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
        .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
        .substring("Cpus_allowed_list:".length()).trim();
  }

  private static long threadCpuNanos(Thread t) {
    return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      // asked to end
    }
  }

  /** Burns {@link #BURN_NANOS} of this thread's CPU time and returns what it used by its own clock. */
  private static long burn() {
    var threads = ManagementFactory.getThreadMXBean();
    long x = 0;
    long used;
    while ((used = threads.getCurrentThreadCpuTime()) < BURN_NANOS) {
      for (int i = 0; i < 100_000; i++) {
        x += i * 31L ^ x;
      }
    }
    if (x == 42) {
      System.out.println(x); // keeps the loop from being removed
    }
    return used;
  }
}
