package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI jar, run as its own process against the running system: submit and wait in a pipe (plain progress
 * lines) and in a terminal (a tmux pane: one bar redrawn in place), results to a file equal to the API's, cancel,
 * retry, capacity, a pause refused once finished, OpenAI JSONL as input, the exit codes, and a 100,000-line file
 * with the CLI's heap at 64 MB.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {

  private static final Path JAR = Path.of("..", "cli", "target", "batch.jar").toAbsolutePath().normalize();
  private static TestSystem system;
  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    system = new TestSystem("cli", Map.of("CHUNK_MAX_ITEMS", "100"));
    system.withResultStore().withApi();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private record Run(int exit, String out, String err) {}

  private static List<String> command(List<String> jvm, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m"));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Run cli(String... args) throws Exception {
    return cli(List.of(), args);
  }

  /** @param jvm options of the CLI's JVM besides its 64 MB heap */
  private static Run cli(List<String> jvm, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command(jvm, args)).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("BATCH_API_URL", "http://127.0.0.1:" + system.apiPort());
    pb.environment().put("BATCH_API_KEY", ApiClient.KEY_A);
    pb.environment().put("HOME", dir.toString()); // no config file of the machine's user
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the CLI ended").isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Path ndjson(String name, int lines, long seed) throws IOException {
    return ndjson(name, lines, seed, "doc-");
  }

  /** {@code lines} images as NDJSON with custom ids {@code idPrefix} 0, 1, ... */
  private static Path ndjson(String name, int lines, long seed, String idPrefix) throws IOException {
    byte[][] images = Inputs.images(Math.min(lines, 1_000), seed);
    Path file = dir.resolve(name);
    try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < lines; i++) {
        w.write("{\"custom_id\":\"" + idPrefix + i + "\",\"input\":{\"pixels\":\""
            + Base64.getEncoder().encodeToString(images[i % images.length]) + "\"}}\n");
      }
    }
    return file;
  }

  private static String idOf(Run r) {
    Matcher m = Pattern.compile("^([0-9a-f-]{36})\\s", Pattern.MULTILINE).matcher(r.out());
    assertThat(m.find()).as("a batch id in %s", r.out()).isTrue();
    return m.group(1);
  }

  @Test
  @Order(1)
  void cancel_before_it_runs_then_watch_exits_1_and_retry_wait_completes_it() throws Exception {
    // First (Order 1): no worker runs yet, so nothing of the batch has run when it is cancelled.
    Run submitted = cli("submit", ndjson("cancel.ndjson", 300, 3).toString(), "--model", "fashion-mnist");
    assertThat(submitted.exit()).as(submitted.err()).isZero();
    String id = idOf(submitted);
    Run cancelled = cli("cancel", id);
    assertThat(cancelled.exit()).as(cancelled.err()).isZero();
    assertThat(cancelled.out()).contains(id);
    ensureWorker();
    Run watched = cli("status", id, "--watch", "--interval", "1");
    assertThat(watched.exit()).as("a cancelled batch did not complete").isEqualTo(1);
    assertThat(watched.out()).contains("cancelled");
    Run retried = cli("retry", id, "--wait", "--json");
    assertThat(retried.exit()).as(retried.err()).isZero();
    assertThat(ApiClient.JSON.readTree(retried.out()).get("status").asText()).isEqualTo("completed");
    assertThat(ApiClient.JSON.readTree(retried.out()).get("parent_batch_id").asText()).isEqualTo(id);
  }

  private static boolean workerStarted;

  private static synchronized void ensureWorker() {
    if (!workerStarted) {
      system.startWorker(system.workerSettings("cli-worker"));
      workerStarted = true;
    }
  }

  @Test
  void submit_wait_in_a_pipe_prints_plain_lines_and_results_equal_the_apis() throws Exception {
    ensureWorker();
    Run run = cli("submit", ndjson("pipe.ndjson", 2_000, 5).toString(), "--model", "fashion-mnist", "--wait",
        "--interval", "1");
    assertThat(run.exit()).as(run.err()).isZero();
    String id = idOf(run);
    assertThat(run.out()).contains("completed").contains("2000/2000 done");
    assertThat(run.err()).doesNotContain("\r").contains("queued: 2000 items")
        .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ 100% 2,000/2,000 items \\| .* \\| completed$");

    Path results = dir.resolve("results.jsonl");
    Run download = cli("results", id, "-o", results.toString());
    assertThat(download.exit()).as(download.err()).isZero();
    String api = system.api().getNdjson("/v1/batch/" + id + "/results").body();
    assertThat(Files.readString(results)).isEqualTo(api);
    assertThat(api.split("\n")).hasSize(2_000);

    Run listed = cli("list", "--limit", "50");
    assertThat(listed.out()).contains(id);
    Run models = cli("models", "list");
    assertThat(models.out()).contains("fashion-mnist  production");
    Run events = cli("events", id);
    assertThat(events.exit()).isZero();
    assertThat(events.out()).startsWith("completed id=2000");

    Run capacity = cli("capacity", "--model", "fashion-mnist", "--items", "2000", "--json");
    assertThat(capacity.exit()).as(capacity.err()).isZero();
    var figures = ApiClient.JSON.readTree(capacity.out());
    assertThat(figures.get("tenant").asText()).isEqualTo("tenant-a");
    assertThat(figures.at("/estimates/0/model").asText()).isEqualTo("fashion-mnist");
    Run paused = cli("pause", id);
    assertThat(paused.exit()).as("a finished batch cannot be paused").isEqualTo(3);
    assertThat(paused.err()).contains("409").contains("already completed");
  }

  @Test
  void an_open_batch_takes_two_files_by_append_and_completes_after_finalize() throws Exception {
    ensureWorker();
    Run opened = cli("open", "--model", "fashion-mnist", "--json");
    assertThat(opened.exit()).as(opened.err()).isZero();
    String id = ApiClient.JSON.readTree(opened.out()).get("batch_id").asText();
    Run first = cli("append", id, ndjson("append-1.ndjson", 150, 8, "first-").toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).isEqualTo("appended 150 items to " + id + " (items 0 to 149)\n");
    Run second = cli("append", id, ndjson("append-2.ndjson", 50, 9, "second-").toString(), "--json");
    assertThat(ApiClient.JSON.readTree(second.out()).get("first_index").asLong()).isEqualTo(150);
    Run finalized = cli("finalize", id);
    assertThat(finalized.exit()).as(finalized.err()).isZero();
    assertThat(finalized.out()).isEqualTo("finalized " + id + " at 200 items\n");
    Run watched = cli("status", id, "--watch", "--interval", "1");
    assertThat(watched.exit()).as(watched.err()).isZero();
    assertThat(watched.out()).contains("200/200 done");
    Run late = cli("append", id, ndjson("append-3.ndjson", 5, 10, "third-").toString());
    assertThat(late.exit()).isEqualTo(3);
    assertThat(late.err()).contains("409").contains("finalized");
  }

  @Test
  void openai_batch_jsonl_goes_in_as_is_and_exit_codes_tell_usage_from_server_errors() throws Exception {
    ensureWorker();
    byte[][] images = Inputs.images(20, 9);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      lines.append("{\"custom_id\":\"req-").append(i).append("\",\"method\":\"POST\",")
          .append("\"url\":\"/v1/models/fashion-mnist/predict\",\"body\":{\"inputs\":[{\"pixels\":\"")
          .append(Base64.getEncoder().encodeToString(images[i])).append("\"}]}}\n");
    }
    Path openai = Files.writeString(dir.resolve("openai.jsonl"), lines);
    Run run = cli("submit", openai.toString(), "--wait", "--json", "--progress", "none");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(ApiClient.JSON.readTree(run.out()).at("/progress/completed").asLong()).isEqualTo(20);
    String id = ApiClient.JSON.readTree(run.out()).get("batch_id").asText();
    assertThat(system.api().getNdjson("/v1/batch/" + id + "/results").body()).contains("\"custom_id\":\"req-19\"");

    Run usage = cli("submit", ndjson("x.ndjson", 1, 1).toString());
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("--model is required");
    Run missing = cli("status", "00000000-0000-0000-0000-000000000000");
    assertThat(missing.exit()).isEqualTo(3);
    assertThat(missing.err()).contains("error:").contains("404");
    Run refused = cli("submit", ndjson("y.ndjson", 1, 1).toString(), "--model", "no-such-model");
    assertThat(refused.exit()).isEqualTo(3);
    assertThat(refused.err()).contains("no-such-model");
  }

  @Test
  void on_a_terminal_the_progress_is_one_bar_redrawn_in_place() throws Exception {
    if (!haveTmux()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("tmux is required under CI (.ci/run installs it)");
      }
      Assumptions.abort("tmux is not installed");
    }
    ensureWorker();
    Path input = ndjson("tty.ndjson", 3_000, 7);
    String session = "cli-it-" + ProcessHandle.current().pid();
    Path done = dir.resolve("tty.exit");
    String cmd = "BATCH_API_URL=http://127.0.0.1:" + system.apiPort() + " BATCH_API_KEY=" + ApiClient.KEY_A + " "
        + String.join(" ", command(List.of(), "submit", input.toString(), "--model", "fashion-mnist", "--wait"))
        + "; echo $? > " + done + "; sleep 600";
    assertThat(new ProcessBuilder("tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "30", cmd)
        .start().waitFor()).isZero();
    try {
      await().atMost(Duration.ofMinutes(3)).until(() -> Files.exists(done) && !Files.readString(done).isBlank());
      assertThat(Files.readString(done).trim()).isEqualTo("0");
      Process capture = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).start();
      String screen = new String(capture.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      capture.waitFor();
      List<String> bars = screen.lines().filter(l -> l.startsWith("[")).toList();
      // One line for the upload's bytes and one for the items: each redrawn in place, not a line per update.
      assertThat(bars).as(screen).hasSize(2);
      assertThat(bars.get(0)).matches("\\[#{30}\\] 100% .*MiB/.*MiB \\| .* \\| uploading tty\\.ndjson *");
      assertThat(bars.get(1)).matches("\\[#{30}\\] 100% 3,000/3,000 items \\| [0-9,]+/s \\| completed *");
      assertThat(screen).contains("completed  fashion-mnist");
    } finally {
      new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor();
    }
  }

  private static boolean haveTmux() {
    try {
      return new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void a_100k_line_file_goes_through_submit_wait_and_results_with_the_heap_flat() throws Exception {
    ensureWorker();
    Path input = ndjson("big.ndjson", 100_000, 13);
    Path gcSubmit = dir.resolve("gc-submit.log");
    Path gcResults = dir.resolve("gc-results.log");
    Run run = cli(List.of("-Xlog:gc:file=" + gcSubmit), "submit", input.toString(), "--model",
        "fashion-mnist", "--wait", "--progress", "none");
    assertThat(run.exit()).as(run.err()).isZero();
    String id = idOf(run);
    Path results = dir.resolve("big-results.jsonl");
    Run download = cli(List.of("-Xlog:gc:file=" + gcResults), "results", id, "-o", results.toString());
    assertThat(download.exit()).as(download.err()).isZero();
    try (var lines = Files.lines(results)) {
      assertThat(lines.count()).isEqualTo(100_000);
    }
    long submitLive = maxAfterGc(gcSubmit);
    long resultsLive = maxAfterGc(gcResults);
    String figure = String.format("CLI, 100,000-line file (%d MB) at -Xmx64m: submit --wait live heap after GC at most "
        + "%d MB; results -o (%d MB) at most %d MB%n", Files.size(input) >> 20, submitLive,
        Files.size(results) >> 20, resultsLive);
    System.out.print(figure);
    Files.writeString(Path.of("target", "cli-memory.txt"), figure);
    // Flat: what survives a collection is a few buffers, not the file (110 MB) nor the results (25 MB).
    assertThat(submitLive).isLessThan(24);
    assertThat(resultsLive).isLessThan(24);
  }

  /** The largest heap (MB) left after a collection in a -Xlog:gc file; 0 if none ran. */
  private static long maxAfterGc(Path log) throws IOException {
    long max = 0;
    Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\(").matcher(Files.readString(log));
    while (m.find()) {
      max = Math.max(max, Long.parseLong(m.group(2)));
    }
    return max;
  }
}
