package dev.batchinfer.bench.run;

import dev.batchinfer.embedded.proc.ChildJvm;
import dev.batchinfer.embedded.proc.Command;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Java Flight Recorder on a child JVM (started and dumped with jcmd), summarised as the share of
 * CPU samples by what the code was doing: the profile behind "where the time goes".
 */
public final class Profiler {

  /** First matching package prefix of a sample's stack, from the top, names its category. */
  private static final List<Map.Entry<String, String>> CATEGORIES = List.of(
      Map.entry("org.tensorflow", "TensorFlow (model call, tensors)"),
      Map.entry("dev.batchinfer.topics.serde", "chunk codec"),
      Map.entry("dev.batchinfer.worker.infer.ResultFormatter", "result formatting (JSON lines)"),
      Map.entry("dev.batchinfer.worker.batch", "micro-batching"),
      Map.entry("dev.batchinfer.api.submit.BatchRequestReader", "request parsing (JSON, base64)"),
      Map.entry("dev.batchinfer.api.submit.Chunker", "chunking"),
      Map.entry("com.fasterxml.jackson", "JSON (Jackson)"),
      Map.entry("org.apache.kafka.streams", "Kafka Streams"),
      Map.entry("org.apache.kafka.common.compress", "Kafka compression (lz4)"),
      Map.entry("net.jpountz", "Kafka compression (lz4)"),
      Map.entry("org.apache.kafka", "Kafka client"),
      Map.entry("io.lettuce", "Redis client (Lettuce)"),
      Map.entry("io.netty", "network I/O (Netty, Redis)"),
      Map.entry("org.eclipse.jetty", "HTTP server (Jetty)"),
      Map.entry("io.javalin", "HTTP server (Javalin)"),
      Map.entry("dev.batchinfer", "other project code"),
      Map.entry("java.util.zip", "checksums"),
      Map.entry("sun.nio", "network I/O (JDK)"),
      Map.entry("java.", "JDK"),
      Map.entry("jdk.", "JDK"),
      Map.entry("sun.", "JDK"));

  private final String name;
  private final long pid;
  private final Path file;

  private Profiler(String name, long pid, Path file) {
    this.name = name;
    this.pid = pid;
    this.file = file;
  }

  public static Profiler start(ChildJvm jvm, Path dir) {
    Path file = dir.resolve(jvm.name() + ".jfr");
    jcmd(jvm.pid(), "JFR.start", "name=bench", "settings=profile");
    return new Profiler(jvm.name(), jvm.pid(), file);
  }

  /**
   * Stops the recording and returns the share of samples (percent, largest first) by category,
   * and the ten hottest methods by samples on top of the stack (self time).
   */
  public Map<String, Object> stop() {
    jcmd(pid, "JFR.stop", "name=bench", "filename=" + file);
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, Integer> self = new LinkedHashMap<>();
    int total = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        if (!type.equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
          continue; // native samples are threads parked in native code too (sockets, waits): not CPU
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        counts.merge(category(frames), 1, Integer::sum);
        if (!frames.isEmpty()) {
          self.merge(frames.get(0).getMethod().getType().getName() + "." + frames.get(0).getMethod().getName(), 1,
              Integer::sum);
        }
        total++;
      }
    } catch (IOException ex) {
      throw new IllegalStateException("cannot read " + file + ": " + ex.getMessage(), ex);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("samples", total);
    out.put("by_category", shares(counts, total, Integer.MAX_VALUE));
    out.put("hottest_methods_self", shares(self, total, 10));
    return out;
  }

  private static Map<String, Double> shares(Map<String, Integer> counts, int total, int limit) {
    Map<String, Double> shares = new LinkedHashMap<>();
    int n = Math.max(1, total);
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
        .forEach(c -> shares.put(c.getKey(), Math.round(c.getValue() * 1000.0 / n) / 10.0));
    return shares;
  }

  public String name() {
    return name;
  }

  private static String category(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String cls = f.getMethod().getType().getName();
      if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.")) {
        continue; // attribute JDK time to the library that called it, when there is one
      }
      for (Map.Entry<String, String> c : CATEGORIES) {
        if (cls.startsWith(c.getKey())) {
          return c.getValue();
        }
      }
      return "other: " + cls;
    }
    String top = frames.isEmpty() ? "?" : frames.get(0).getMethod().getType().getName();
    return CATEGORIES.stream().filter(c -> top.startsWith(c.getKey())).map(Map.Entry::getValue).findFirst().orElse("JDK");
  }

  private static void jcmd(long pid, String... command) {
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid)));
    cmd.addAll(List.of(command));
    Command.run(cmd);
  }

}
