package dev.batchinfer.standalone;

import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API alone in a JVM of its own with a small heap, against a test's broker, Redis and topics:
 * how a test shows what the API's memory holds, since its own JVM's heap is shared with everything.
 */
final class ApiJvm implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path gcLog;
  private final Path output;

  private ApiJvm(Process process, int port, Path gcLog, Path output) {
    this.process = process;
    this.port = port;
    this.gcLog = gcLog;
    this.output = output;
  }

  /** Starts it with {@code -Xmx<heapMb>m} and the system's settings plus {@code settings}, and waits until it is healthy. */
  static ApiJvm start(TestSystem system, int heapMb, Map<String, String> settings) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Map<String, String> env = new HashMap<>(system.envMap());
    env.putAll(settings);
    env.put("API_PORT", Integer.toString(port));
    Path gcLog = Files.createTempFile("api-gc", ".log");
    Path output = Files.createTempFile("api-out", ".log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heapMb + "m", "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog,
        "-cp", System.getProperty("java.class.path"), "dev.batchinfer.api.ProducerApiMain"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    pb.environment().putAll(env);
    ApiJvm api = new ApiJvm(pb.start(), port, gcLog, output);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> api.healthy() || !api.alive());
      if (!api.alive()) {
        throw new IllegalStateException("the API JVM exited at start:\n" + api.output());
      }
      return api;
    } catch (RuntimeException | IOException e) {
      api.process.destroyForcibly();
      throw e;
    }
  }

  ApiClient client() {
    return new ApiClient(port);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** What it printed. */
  String output() throws IOException {
    return Files.readString(output);
  }

  private boolean healthy() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL().openConnection();
      c.setConnectTimeout(500);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The largest heap occupancy a GC found when it started, and the largest left after a full GC (the
   * live set), from -Xlog:gc lines "...: 41M->12M(61M) ...".
   */
  String peakHeapMb() throws IOException {
    Pattern p = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    long before = -1;
    long after = -1;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = p.matcher(line);
      if (m.find()) {
        before = Math.max(before, Long.parseLong(m.group(1)));
        if (line.contains("Pause Full")) {
          after = Math.max(after, Long.parseLong(m.group(2))); // what stayed live
        }
      }
    }
    return before < 0 ? "(no GC logged)" : before + "/" + after;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
