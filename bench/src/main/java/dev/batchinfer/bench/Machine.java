package dev.batchinfer.bench;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
    // The services make many small system calls and TensorFlow few, so what the kernel charges
    // moves P1 and P5 between hosts while the model's own speed stays put: measured, not assumed.
    m.put("system_call_us", Math.round(systemCallMicros() * 100) / 100.0);
    m.put("page_first_touch_us", Math.round(pageFirstTouchMicros() * 100) / 100.0);
    m.put("meltdown_mitigation", firstLine("/sys/devices/system/cpu/vulnerabilities/meltdown"));
    return m;
  }

  /** One-byte reads of /dev/zero: a system call each, plus the JNI step into it. */
  static double systemCallMicros() {
    byte[] one = new byte[1];
    try (FileInputStream zero = new FileInputStream("/dev/zero")) {
      for (int i = 0; i < 20_000; i++) {
        zero.read(one, 0, 1);
      }
      int n = 200_000;
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        zero.read(one, 0, 1);
      }
      return (System.nanoTime() - t) / 1e3 / n;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  /** A fresh direct buffer is zeroed as it is allocated: each of its pages is touched for the first time. */
  static double pageFirstTouchMicros() {
    int bytes = 64 * 1024 * 1024;
    long t = System.nanoTime();
    ByteBuffer.allocateDirect(bytes);
    return (System.nanoTime() - t) / 1e3 / (bytes / 4096);
  }

  private static String firstLine(String file) {
    try {
      return Files.readAllLines(Path.of(file)).stream().findFirst().orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
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
