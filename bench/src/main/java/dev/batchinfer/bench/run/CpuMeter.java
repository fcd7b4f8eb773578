package dev.batchinfer.bench.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU seconds used by each process of the system between two points, from /proc (user + system
 * time), and by each kind of thread inside it (threads named alike are summed: "C2 CompilerThread#",
 * "kafka-producer-network-thread | …"). The first answer to "where does the time go", and it sees
 * what a Java profiler does not: garbage collection, the JIT compiler, native TensorFlow threads.
 * Also the time each process's threads waited for a CPU while runnable (the kernel's run delay),
 * where the kernel counts it: on two shared cores, the part of a request's latency spent queued
 * behind other processes.
 */
public final class CpuMeter {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, Long> start = new LinkedHashMap<>();
  private final Map<String, Map<Long, ThreadTicks>> threadStart = new HashMap<>();

  public CpuMeter watch(String name, long pid) {
    pids.put(name, pid);
    return this;
  }

  public CpuMeter begin() {
    pids.forEach((name, pid) -> {
      start.put(name, ticks(Path.of("/proc", Long.toString(pid), "stat")));
      Map<Long, ThreadTicks> threads = new HashMap<>();
      forEachThread(pid, threads::put);
      threadStart.put(name, threads);
    });
    return this;
  }

  /** CPU seconds per process since {@link #begin()}. */
  public Map<String, Double> seconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    pids.forEach((name, pid) -> out.put(name, seconds(ticks(Path.of("/proc", Long.toString(pid), "stat")) - start.get(name))));
    return out;
  }

  /** Per process, the kinds of thread that used the most CPU since {@link #begin()}, in seconds. */
  public Map<String, Map<String, Double>> threadSeconds(int top) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    pids.forEach((name, pid) -> {
      Map<Long, ThreadTicks> before = threadStart.getOrDefault(name, Map.of());
      Map<String, Long> byKind = new HashMap<>();
      forEachThread(pid, (tid, t) -> byKind.merge(t.kind(), t.ticks() - before.getOrDefault(tid, NOT_SEEN).ticks(), Long::sum));
      Map<String, Double> sorted = new LinkedHashMap<>();
      byKind.entrySet().stream().filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
          .forEach(e -> sorted.put(e.getKey(), seconds(e.getValue())));
      out.put(name, sorted);
    });
    return out;
  }

  /**
   * Seconds each process's threads spent runnable but waiting for a CPU since {@link #begin()}, or
   * an empty map where the kernel does not count it (some kernels count it only with sysctl
   * kernel.task_delayacct=1). Threads that ended meanwhile are not counted.
   */
  public Map<String, Double> waitSeconds() {
    if (!runDelayCounted()) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    pids.forEach((name, pid) -> {
      Map<Long, ThreadTicks> before = threadStart.getOrDefault(name, Map.of());
      long[] nanos = {0};
      // A thread whose schedstat could not be read reads 0: never let it take away what others waited.
      forEachThread(pid, (tid, t) -> nanos[0] += Math.max(0, t.waitNanos() - before.getOrDefault(tid, NOT_SEEN).waitNanos()));
      out.put(name, Math.round(nanos[0] / 1e7) / 100.0);
    });
    return out;
  }

  /** Whether the kernel counts run delay: where it does not, the reading thread's time on a CPU and its wait both read 0. */
  static boolean runDelayCounted() {
    try {
      String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ");
      return Long.parseLong(f[0]) > 0 || Long.parseLong(f[1]) > 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private record ThreadTicks(String kind, long ticks, long waitNanos) {}

  /** A thread started after {@link #begin()}: everything it used counts. */
  private static final ThreadTicks NOT_SEEN = new ThreadTicks("", 0, 0);

  private static void forEachThread(long pid, java.util.function.BiConsumer<Long, ThreadTicks> action) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(task -> {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          action.accept(Long.parseLong(task.getFileName().toString()),
              new ThreadTicks(comm.replaceAll("\\d+", "#"), ticks(task.resolve("stat")), runDelay(task)));
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      });
    } catch (IOException e) {
      // the process ended
    }
  }

  private static double seconds(long ticks) {
    return Math.round(ticks / TICKS_PER_SECOND * 100) / 100.0;
  }

  /** Nanoseconds the task has waited on a run queue: the second field of its schedstat. */
  private static long runDelay(Path task) {
    try {
      return runDelayNanos(Files.readString(task.resolve("schedstat")));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** From a schedstat line: "time on a CPU, time waiting on a run queue (both ns), timeslices run". */
  static long runDelayNanos(String schedstat) {
    return Long.parseLong(schedstat.trim().split(" ")[1]);
  }

  static long ticks(Path stat) {
    try {
      String s = Files.readString(stat);
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
