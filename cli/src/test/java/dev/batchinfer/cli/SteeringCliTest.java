package dev.batchinfer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.batchinfer.client.Capacity;
import dev.batchinfer.client.PauseAnswer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code batch pause|resume|capacity} and a paused status: the text they print (pure functions), and whole
 * command lines against a loopback server answering each path with a fixed answer, for their output and exit codes.
 */
class SteeringCliTest {

  private static final String CAPACITY = "{\"tenant\":\"tenant-a\",\"at\":\"2026-12-07T20:47:25.123Z\","
      + "\"queues\":{\"high\":{\"batches\":1,\"items\":40,\"items_exact\":true},"
      + "\"normal\":{\"batches\":0,\"items\":0,\"items_exact\":true},"
      + "\"low\":{\"batches\":250,\"items\":2500000,\"items_exact\":false}},"
      + "\"throughput\":[{\"model\":\"fashion-mnist\",\"version\":\"2.0.0\",\"items_per_second\":4653.5,"
      + "\"window_seconds\":300,\"served\":true}],\"estimates\":[],\"quota\":{}}";

  private final Map<String, Map.Entry<Integer, String>> answers = new ConcurrentHashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      Map.Entry<Integer, String> a = answers.getOrDefault(ex.getRequestMethod() + " " + ex.getRequestURI(),
          Map.entry(404, "{\"title\":\"Not found\",\"detail\":\"no such route\"}"));
      byte[] body = a.getValue().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(a.getKey(), body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private int batch(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", "http://127.0.0.1:" + server.getAddress().getPort(), "--key", "k"));
    return BatchCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), all.toArray(String[]::new));
  }

  private String printed() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void a_pause_and_a_resume_print_one_line_each() {
    assertThat(SteeringCommands.line(new PauseAnswer("b1", "processing", true, 0, null))).isEqualTo("paused b1");
    assertThat(SteeringCommands.line(new PauseAnswer("b1", "processing", false, 3, null)))
        .isEqualTo("resumed b1 (3 chunks back on the queue)");
    assertThat(SteeringCommands.line(new PauseAnswer("b1", "queued", false, 1, null)))
        .isEqualTo("resumed b1 (1 chunk back on the queue)");
  }

  @Test
  void the_capacity_table_has_the_queues_throughput_estimates_and_quota() {
    Map<String, Capacity.Queue> queues = new LinkedHashMap<>();
    queues.put("high", new Capacity.Queue(1, 40, true));
    queues.put("normal", new Capacity.Queue(3, 12_000, true));
    queues.put("low", new Capacity.Queue(250, 2_500_000, false));
    Capacity c = new Capacity("tenant-a", Instant.parse("2026-12-07T20:47:25.123Z"), queues,
        List.of(new Capacity.Throughput("fashion-mnist", "2.0.0", 4653.5, 300, true),
            new Capacity.Throughput("fashion-mnist", "1.0.0", 0, 300, false)),
        List.of(new Capacity.Estimate("fashion-mnist", "2.0.0", "high", 5_000, 1, 40, 4653.5, true, 1.083,
            Instant.parse("2026-12-07T20:47:26.206Z")),
            new Capacity.Estimate("language-id", "1.0.0", "high", 5_000, 1, 40, 1_000, false, 75.2,
                Instant.parse("2026-12-07T20:48:40.4Z"))),
        new Capacity.Quota(new Capacity.QueuedItems(12_000, 1_000_000, 988_000),
            new Capacity.Bucket(50, 100, 97, 3, 0.06), new Capacity.Bucket(20_000, 200_000, 188_000, 12_000, 0.6)),
        null);
    assertThat(CapacityTable.format(c)).isEqualTo("""
        capacity for tenant-a at 2026-12-07T20:47:25Z

        PRIORITY  BATCHES       ITEMS
        high            1          40
        normal          3      12,000
        low           250  ~2,500,000

        MODEL          VERSION  ITEMS/S  SERVED
        fashion-mnist  2.0.0    4,653.5  yes
        fashion-mnist  1.0.0          0  no
        (measured over the last 300 s)

        ESTIMATE       VERSION  PRIORITY  ITEMS  BATCHES AHEAD  ITEMS AHEAD  ITEMS/S  WAIT  COMPLETION
        fashion-mnist  2.0.0    high      5,000              1           40  4,653.5  0:02  2026-12-07T20:47:26Z
        language-id    1.0.0    high      5,000              1           40   1,000*  1:16  2026-12-07T20:48:40Z
        (* not measured yet: the configured rate)

        QUOTA           USED      LIMIT     LEFT  RATE/S  FULL IN
        queued items  12,000  1,000,000  988,000
        requests           3        100       97      50    0.1 s
        items         12,000    200,000  188,000  20,000    0.6 s
        """);
  }

  @Test
  void pause_resume_and_a_paused_status_print_their_lines_and_a_conflict_exits_3() {
    answers.put("POST /v1/batch/b1/pause",
        Map.entry(202, "{\"batch_id\":\"b1\",\"status\":\"processing\",\"paused\":true}"));
    answers.put("POST /v1/batch/b1/resume", Map.entry(202,
        "{\"batch_id\":\"b1\",\"status\":\"processing\",\"paused\":false,\"released_chunks\":2}"));
    answers.put("GET /v1/batch/b1/status", Map.entry(200, "{\"batch_id\":\"b1\",\"status\":\"processing\",\"model\":"
        + "\"fashion-mnist\",\"model_version\":\"2.0.0\",\"paused\":true,\"progress\":{\"completed\":4,\"total\":10}}"));
    answers.put("POST /v1/batch/done/pause", Map.entry(409, "{\"title\":\"Batch already finished\",\"detail\":"
        + "\"batch done is already completed; there is nothing to pause\",\"status\":409}"));
    assertThat(batch("pause", "b1")).isZero();
    assertThat(batch("resume", "b1")).isZero();
    assertThat(batch("status", "b1")).isZero();
    assertThat(printed()).isEqualTo(String.join(System.lineSeparator(), "paused b1",
        "resumed b1 (2 chunks back on the queue)",
        "b1  processing (paused)  fashion-mnist 2.0.0  4/10 done (0 failed, 0 cancelled)", ""));
    assertThat(batch("pause", "done")).isEqualTo(BatchCli.API_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("already completed; there is nothing to pause (HTTP 409)");
    assertThat(batch("resume", "nope")).isEqualTo(BatchCli.API_ERROR);
  }

  @Test
  void capacity_sends_its_options_prints_the_api_json_with_json_and_refuses_bad_options_as_usage_errors() {
    answers.put("GET /v1/capacity?model=fashion-mnist&priority=high&items=5000", Map.entry(200, CAPACITY));
    answers.put("GET /v1/capacity", Map.entry(200, CAPACITY));
    assertThat(batch("capacity", "--model", "fashion-mnist", "--priority", "high", "--items", "5000", "--json"))
        .isZero();
    assertThat(printed()).startsWith("{\"tenant\":\"tenant-a\"");
    out.reset();
    assertThat(batch("capacity")).isZero();
    assertThat(printed()).startsWith("capacity for tenant-a at 2026-12-07T20:47:25Z").contains("~2,500,000");
    assertThat(batch("capacity", "--priority", "urgent")).isEqualTo(BatchCli.USAGE);
    assertThat(batch("capacity", "--items", "0")).isEqualTo(BatchCli.USAGE);
    assertThat(batch("capacity", "--items", "many")).isEqualTo(BatchCli.USAGE);
    assertThat(batch("pause")).as("no batch id").isEqualTo(BatchCli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--priority must be low, normal or high")
        .contains("Missing required parameter");
  }
}
