package dev.batchinfer.worker.infer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimulatedAcceleratorTest {

  @Test
  void a_call_takes_the_call_time_at_least_and_returns_the_models_answer() {
    SimulatedAccelerator device = new SimulatedAccelerator(Duration.ofMillis(30));
    long t0 = System.nanoTime();
    assertThat(device.call(() -> "answer")).isEqualTo("answer");
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
  }

  @Test
  void calls_from_several_threads_run_one_at_a_time() throws Exception {
    SimulatedAccelerator device = new SimulatedAccelerator(Duration.ofMillis(5));
    AtomicInteger onDevice = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 5; i++) {
          device.call(() -> {
            most.accumulateAndGet(onDevice.incrementAndGet(), Math::max);
            // Long enough that four threads would overlap here if the device let them.
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            return onDevice.decrementAndGet();
          });
        }
      });
      th.start();
      threads.add(th);
    }
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    assertThat(most.get()).isEqualTo(1);
  }

  @Test
  void off_it_adds_nothing_and_holds_no_lock() {
    assertThat(SimulatedAccelerator.NONE.isOn()).isFalse();
    assertThat(SimulatedAccelerator.NONE.call(() -> 7)).isEqualTo(7);
  }
}
