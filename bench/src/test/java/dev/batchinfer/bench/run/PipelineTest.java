package dev.batchinfer.bench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pipeline.awaitFinal against a status endpoint that answers a scripted sequence of statuses. */
class PipelineTest {

  private HttpServer server;
  /** The statuses still to answer; the last one is answered again and again. */
  private final Deque<String> statuses = new ArrayDeque<>();
  private ApiClient api;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/batch/", exchange -> {
      String status;
      synchronized (statuses) {
        status = statuses.size() > 1 ? statuses.poll() : statuses.peek();
      }
      byte[] out = ("{\"batch_id\":\"b1\",\"status\":\"" + status + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    });
    server.start();
    api = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), "key");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(String... sequence) {
    statuses.addAll(java.util.List.of(sequence));
  }

  @ParameterizedTest
  @ValueSource(strings = {"completed", "completed_with_errors", "failed", "cancelled", "expired"})
  void ends_on_any_final_status(String last) {
    answer("queued", "processing", "cancelling", last);
    AtomicInteger waited = new AtomicInteger();
    ApiClient.Answer a = Pipeline.awaitFinal(api, "b1", waited::incrementAndGet, 1, Duration.ofMinutes(1));
    assertThat(a.text("status")).isEqualTo(last);
    // Asked once per status that was not final.
    assertThat(waited).hasValue(3);
  }

  @Test
  void a_batch_that_never_ends_fails_at_the_deadline() {
    answer("processing");
    assertThatThrownBy(() -> Pipeline.awaitFinal(api, "b1", () -> { }, 1, Duration.ofMillis(200)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not final after");
  }

  @Test
  void a_status_it_does_not_know_is_not_final() {
    answer("something-new", "completed");
    assertThat(Pipeline.awaitFinal(api, "b1", () -> { }, 1, Duration.ofMinutes(1)).text("status")).isEqualTo("completed");
  }
}
