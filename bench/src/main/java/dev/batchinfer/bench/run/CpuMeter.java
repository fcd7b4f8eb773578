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
 */
public final class CpuMeter {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, Long> start = new LinkedHashMap<>();
  private final Map<String, Map<Long, Long>> threadStart = new HashMap<>();

  public CpuMeter watch(String name, long pid) {
    pids.put(name, pid);
    return this;
  }

  public CpuMeter begin() {
    pids.forEach((name, pid) -> {
      start.put(name, ticks(Path.of("/proc", Long.toString(pid), "stat")));
      Map<Long, Long> threads = new HashMap<>();
      forEachThread(pid, (tid, t) -> threads.put(tid, t.ticks()));
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
      Map<Long, Long> before = threadStart.getOrDefault(name, Map.of());
      Map<String, Long> byKind = new HashMap<>();
      forEachThread(pid, (tid, t) -> byKind.merge(t.kind(), t.ticks() - before.getOrDefault(tid, 0L), Long::sum));
      Map<String, Double> sorted = new LinkedHashMap<>();
      byKind.entrySet().stream().filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
          .forEach(e -> sorted.put(e.getKey(), seconds(e.getValue())));
      out.put(name, sorted);
    });
    return out;
  }

  private record ThreadTicks(String kind, long ticks) {}

  private static void forEachThread(long pid, java.util.function.BiConsumer<Long, ThreadTicks> action) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(task -> {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          action.accept(Long.parseLong(task.getFileName().toString()),
              new ThreadTicks(comm.replaceAll("\\d+", "#"), ticks(task.resolve("stat"))));
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
