package dev.batchinfer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the numbers were measured on. */
final class Machine {

  private Machine() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpu", field("/proc/cpuinfo", "model name"));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memory_gb", Math.round(Long.parseLong(field("/proc/meminfo", "MemTotal").replaceAll("\\D", "")) / 1048576.0));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("kafka", org.apache.kafka.common.utils.internals.AppInfoParser.getVersion() + " (KRaft, one broker, in a JVM of its own)");
    m.put("tensorflow", "TensorFlow Java " + org.tensorflow.TensorFlow.version());
    return m;
  }

  private static String field(String file, String name) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(name)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
