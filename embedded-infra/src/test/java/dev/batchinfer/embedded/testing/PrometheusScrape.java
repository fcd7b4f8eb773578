package dev.batchinfer.embedded.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code /metrics} answer read by Prometheus's own parsers: the text is parsed by the official
 * client_python parser (Debian's {@code python3-prometheus-client}) and linted against the naming
 * conventions by {@code promtool check metrics} (Debian's {@code prometheus}). {@code .ci/run}
 * installs both; where they are missing the checks are skipped, except under {@code CI=true}.
 */
public final class PrometheusScrape {

  /** One sample: its full name ({@code _total}, {@code _bucket} ... included), labels and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  // Prints one sample per line: name, labels as k=v joined by \x1f, value; tab-separated.
  private static final String PARSE = String.join("\n",
      "import sys",
      "from prometheus_client.parser import text_string_to_metric_families",
      "for family in text_string_to_metric_families(sys.stdin.read()):",
      "    for s in family.samples:",
      "        labels = '\\x1f'.join(k + '=' + v for k, v in sorted(s.labels.items()))",
      "        print(s.name + '\\t' + labels + '\\t' + repr(float(s.value)))");

  private final List<Sample> samples;

  private PrometheusScrape(List<Sample> samples) {
    this.samples = samples;
  }

  /** Whether this machine has the parsers; tests call {@code assumeTrue(available())}. */
  public static boolean available() {
    boolean present = Files.isExecutable(PROMTOOL) && Files.isExecutable(PYTHON)
        && run(List.of(PYTHON.toString(), "-c", "import prometheus_client.parser"), "").exit == 0;
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI needs promtool and python3-prometheus-client: apt-get install prometheus"
          + " python3-prometheus-client (.ci/run does)");
    }
    return present;
  }

  /** Parses the text; throws if the parser refuses it. */
  public static PrometheusScrape parse(String text) {
    Result r = run(List.of(PYTHON.toString(), "-c", PARSE), text);
    if (r.exit != 0) {
      throw new AssertionError("not Prometheus text: " + r.err);
    }
    List<Sample> samples = new ArrayList<>();
    for (String line : r.out.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      Map<String, String> labels = new LinkedHashMap<>();
      for (String kv : f[1].isEmpty() ? new String[0] : f[1].split("\u001f")) {
        int eq = kv.indexOf('=');
        labels.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
      samples.add(new Sample(f[0], labels, number(f[2])));
    }
    return new PrometheusScrape(samples);
  }

  private static double number(String python) {
    return switch (python) {
      case "nan" -> Double.NaN;
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(python);
    };
  }

  /** What {@code promtool check metrics} says about names, units and help texts; empty when all is well. */
  public static List<String> lint(String text) {
    Result r = run(List.of(PROMTOOL.toString(), "check", "metrics"), text);
    List<String> problems = new ArrayList<>();
    for (String line : (r.out + "\n" + r.err).split("\n")) {
      if (!line.isBlank()) {
        problems.add(line.trim());
      }
    }
    return r.exit == 0 ? List.of() : problems;
  }

  /**
   * The lint of every family but Kafka's own client metrics, which Micrometer passes on under the
   * names Kafka gives them ({@code kafka_producer_io_time_ns_total} and the like).
   */
  public static List<String> lintOurs(String text) {
    StringBuilder ours = new StringBuilder();
    for (String line : text.split("\n")) {
      String name = line.startsWith("# HELP ") || line.startsWith("# TYPE ") ? line.substring(7) : line;
      if (!name.startsWith("kafka_")) {
        ours.append(line).append('\n');
      }
    }
    return lint(ours.toString());
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The sum of the samples named {@code name} whose labels include every one given. */
  public double sum(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name.equals(name))
        .filter(s -> s.labels.entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  public double sum(String name) {
    return sum(name, Map.of());
  }

  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name.equals(name));
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(List<String> command, String stdin) {
    try {
      Path out = Files.createTempFile("scrape", ".out");
      Path err = Files.createTempFile("scrape", ".err");
      try {
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (var in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(command.get(0) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return new Result(127, "", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
