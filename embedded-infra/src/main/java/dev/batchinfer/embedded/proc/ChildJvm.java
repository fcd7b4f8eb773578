package dev.batchinfer.embedded.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One service in its own JVM, so its memory is its own: peak RSS from /proc and heap from its GC
 * log. Started with this JVM's class path and an explicit heap; stopped with SIGTERM so its
 * shutdown hooks leave the consumer group cleanly.
 */
public final class ChildJvm implements AutoCloseable {

  /**
   * Every child reaches its JIT steady state ten times sooner than by default. The measurements
   * are meant to be a long-running service's, and a service's rarer but large paths (a broker's
   * produce and fetch handlers, a Kafka Streams task's forwarding) reach the optimizing compiler only
   * after thousands of calls: by default that takes minutes, so compiling them would fall into the
   * measured runs, whatever the length of the warm-up rounds.
   */
  public static final String JIT_STEADY_SOONER = "-XX:CompileThresholdScaling=0.1";
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private final String name;
  private final Process process;
  private final Path gcLog;
  private final Path output;
  private final String maxHeap;

  private ChildJvm(String name, Process process, Path gcLog, Path output, String maxHeap) {
    this.name = name;
    this.process = process;
    this.gcLog = gcLog;
    this.output = output;
    this.maxHeap = maxHeap;
  }

  public static ChildJvm start(String name, String mainClass, String maxHeap, Map<String, String> env, Path dir) {
    return start(name, mainClass, maxHeap, List.of("-XX:+UseG1GC"), env, dir, 0, null);
  }

  /**
   * @param jvmFlags JVM options besides the heap, the collector among them
   * @param niceness added to the child's scheduling niceness (0: as this process; 10: yields the CPU to others)
   * @param cpus the CPUs it runs on, or null for those of this process
   */
  public static ChildJvm start(String name, String mainClass, String maxHeap, List<String> jvmFlags,
      Map<String, String> env, Path dir, int niceness, CpuSet cpus) {
    Path gc = dir.resolve(name + "-gc.log");
    Path out = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    if (cpus != null) {
      cmd.addAll(cpus.taskset());
    }
    if (niceness != 0) {
      cmd.addAll(List.of("nice", "-n", Integer.toString(niceness)));
    }
    cmd.addAll(List.of(javaBinary(), "-Xmx" + maxHeap, JIT_STEADY_SOONER));
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-Xlog:gc:file=" + gc, "-cp", System.getProperty("java.class.path"), ParentWatch.class.getName(),
        mainClass));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
    pb.environment().put(ParentWatch.PARENT_PID, Long.toString(ProcessHandle.current().pid()));
    pb.environment().putAll(env);
    try {
      return new ChildJvm(name, pb.start(), gc, out, maxHeap);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public String maxHeap() {
    return maxHeap;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the child: frozen, it takes no CPU at all. */
  public void freeze(boolean frozen) {
    Command.run(List.of("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid())));
  }

  /** SIGKILL: the process gets no chance to flush, commit or leave its group. Returns once it is gone. */
  public void kill9() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM, then waits for the child to run its shutdown hooks and exit.
   *
   * @return its exit code
   * @throws IllegalStateException if it is still running after {@code timeout}
   */
  public int terminate(Duration timeout) {
    process.destroy();
    return awaitExit(timeout);
  }

  /** Waits for the child to exit by itself (a worker that found itself broken, say) and returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " still runs after " + timeout + ":\n" + tail(20));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Fails with the end of the child's log if it has died. */
  public void requireAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with " + process.exitValue() + "; last lines of " + output
          + ":\n" + tail(40));
    }
  }

  /** Waits, while the child runs, for a line starting with {@code prefix} and returns what follows it. */
  public String awaitLine(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        requireAlive();
        Optional<String> found = lastLine(prefix);
        if (found.isPresent()) {
          return found.get();
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException(name + " printed no '" + prefix + "' in " + timeout + ":\n" + tail(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Waits for the child to exit and returns what follows {@code prefix} on its output's last such line. */
  public String awaitLastLine(String prefix, java.time.Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(name + " did not finish cleanly:\n" + tail(30));
      }
      return lastLine(prefix).orElseThrow(() -> new IllegalStateException(name + " printed no result:\n" + tail(30)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** What follows {@code prefix} on the last output line that starts with it. */
  private Optional<String> lastLine(String prefix) {
    try {
      List<String> lines = Files.readAllLines(output);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith(prefix)) {
          return Optional.of(lines.get(i).substring(prefix.length()));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(output);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Peak resident set size (VmHWM) of the process so far, in bytes. */
  public long peakRssBytes() {
    return procStatus("VmHWM:");
  }

  /** Starts a new peak: Linux sets VmHWM back to the current RSS (clear_refs 5), so parts of a run can be told apart. */
  public void resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc", Long.toString(process.pid()), "clear_refs"), "5");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset the peak RSS of " + name, e);
    }
  }

  public long rssBytes() {
    return procStatus("VmRSS:");
  }

  private long procStatus(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Heap use seen by the collector: the largest heap before a GC and the largest live set after one. */
  public HeapUse heapUse() {
    try {
      return HeapUse.fromGcLog(Files.readAllLines(gcLog));
    } catch (IOException e) {
      return new HeapUse(-1, -1, -1);
    }
  }

  /** Bytes, from the collector's log: peak used (before a collection), peak live (after one), peak committed. */
  public record HeapUse(long peakUsedBytes, long peakLiveBytes, long peakCommittedBytes) {

    /** From -Xlog:gc lines such as "GC(3) Pause Young (Normal) (G1 Evacuation Pause) 25M->6M(256M) 3.1ms". */
    public static HeapUse fromGcLog(List<String> lines) {
      long before = 0;
      long after = 0;
      long committed = 0;
      for (String line : lines) {
        Matcher m = GC_HEAP.matcher(line);
        if (m.find()) {
          before = Math.max(before, bytes(m.group(1), m.group(2)));
          after = Math.max(after, bytes(m.group(3), m.group(4)));
          committed = Math.max(committed, bytes(m.group(5), m.group(6)));
        }
      }
      return new HeapUse(before, after, committed);
    }
  }

  private static long bytes(String n, String unit) {
    long v = Long.parseLong(n);
    return switch (unit) {
      case "K" -> v << 10;
      case "M" -> v << 20;
      default -> v << 30;
    };
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      // A frozen child would hold SIGTERM until thawed: thaw it, so it stops in seconds, not after the wait.
      try {
        freeze(false);
      } catch (IllegalStateException exitedMeanwhile) {
        // nothing to thaw
      }
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

}
