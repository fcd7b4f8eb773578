package dev.batchinfer.client;

import static dev.batchinfer.client.ScriptedServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.client.ScriptedServer.Scripted;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's handling of the API's answers, over real HTTP to a loopback server that answers what each test
 * scripts: the retries, the Idempotency-Key they share, and the exception each problem becomes. The whole
 * client against the real system is {@code ClientIT} in the standalone module.
 */
class BatchClientAnswersTest {

  private final ScriptedServer server = new ScriptedServer();
  private final Deque<Scripted> script = server.script;
  private final List<Map<String, String>> seen = server.seen;
  private final BatchClient client = server.client();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void a_submit_answered_503_then_429_is_sent_again_with_the_same_idempotency_key_until_accepted() {
    script.add(new Scripted(503, Map.of("Retry-After", "1"), problem(503, null)));
    script.add(new Scripted(429, Map.of(), problem(429, null)));
    script.add(new Scripted(202, Map.of(), "{\"batch_id\":\"b1\",\"status\":\"queued\",\"total\":2}"));
    long t0 = System.nanoTime();
    Batch b = client.submit(SubmitOptions.model("m"), List.of(Map.of("x", 1), Map.of("x", 2)));
    assertThat(b.id()).isEqualTo("b1");
    assertThat(b.total()).isEqualTo(2);
    assertThat(seen).hasSize(3);
    assertThat(seen).extracting(m -> m.get("idempotency")).doesNotContain("null").containsOnly(seen.get(0).get("idempotency"));
    assertThat(seen.get(0).get("authorization")).isEqualTo("Bearer k");
    assertThat(System.nanoTime() - t0).as("waited the Retry-After of the 503").isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void when_the_attempts_run_out_the_last_refusal_is_thrown_with_its_retry_after() {
    for (int i = 0; i < 3; i++) {
      script.add(new Scripted(429, Map.of("Retry-After", "0"), problem(429, null)));
    }
    assertThatThrownBy(() -> client.status("b1")).isInstanceOfSatisfying(BatchApiException.Unavailable.class, e -> {
      assertThat(e.status()).isEqualTo(429);
      assertThat(e.retryAfter()).contains(Duration.ZERO);
    });
    assertThat(seen).hasSize(3);
  }

  @Test
  void each_problem_becomes_its_exception_and_is_not_sent_again() {
    Map<Integer, Class<? extends BatchApiException>> types = Map.of(400, BatchApiException.Invalid.class,
        422, BatchApiException.Invalid.class, 401, BatchApiException.Unauthorized.class,
        404, BatchApiException.NotFound.class, 410, BatchApiException.NotFound.class,
        409, BatchApiException.Conflict.class, 413, BatchApiException.TooLarge.class,
        500, BatchApiException.class);
    types.forEach((status, type) -> {
      seen.clear();
      script.add(new Scripted(status, Map.of("Content-Type", "application/problem+json"), problem(status, "inputs[3]")));
      assertThatThrownBy(() -> client.status("b1")).isExactlyInstanceOf(type).satisfies(e -> {
        BatchApiException p = (BatchApiException) e;
        assertThat(p.status()).isEqualTo(status);
        assertThat(p.field()).contains("inputs[3]");
        assertThat(p.type()).isEqualTo("/problems/x");
      });
      assertThat(seen).as("attempts for %d", status).hasSize(1);
    });
  }

  @Test
  void results_are_read_page_after_page_until_there_is_no_next_offset() {
    script.add(new Scripted(200, Map.of(), "{\"results\":[{\"index\":0},{\"index\":1}],\"next_offset\":2}"));
    script.add(new Scripted(200, Map.of(), "{\"results\":[{\"index\":2}],\"next_offset\":null}"));
    assertThat(client.results("b1").map(n -> n.get("index").asInt()).toList()).containsExactly(0, 1, 2);
    assertThat(seen).hasSize(2);
  }

  private static String event(long id, String type, long completed) {
    return "id: " + id + "\nevent: " + type + "\ndata: {\"batch_id\":\"b1\",\"status\":\""
        + (type.equals("progress") ? "processing" : type) + "\",\"progress\":{\"completed\":" + completed
        + ",\"total\":10}}\n\n";
  }

  @Test
  void an_event_stream_cut_off_before_the_end_resumes_from_the_last_event_id_and_sees_no_event_twice() throws Exception {
    // The first connection ends after two events (as the server's stream limit or a dropped network would end it).
    script.add(new Scripted(200, Map.of("Content-Type", "text/event-stream"),
        ": hello\n\n" + event(3, "progress", 3) + event(6, "progress", 6)));
    script.add(new Scripted(200, Map.of("Content-Type", "text/event-stream"),
        event(9, "progress", 9) + event(10, "completed", 10)));
    List<BatchEvent> events = new CopyOnWriteArrayList<>();
    try (EventSubscription sub = client.events("b1", null, events::add)) {
      BatchEvent last = sub.done().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(last.type()).isEqualTo("completed");
      assertThat(last.batch().completed()).isEqualTo(10);
      assertThat(sub.lastEventId()).isEqualTo("10");
    }
    assertThat(events).extracting(BatchEvent::id).containsExactly("3", "6", "9", "10");
    assertThat(seen).extracting(m -> m.get("last-event-id")).containsExactly("null", "6");
  }

  @Test
  void a_stream_refused_with_404_ends_the_subscription_with_that_exception() {
    script.add(new Scripted(404, Map.of(), problem(404, null)));
    EventSubscription sub = client.events("nope", "5", e -> { });
    assertThatThrownBy(() -> sub.done().get(10, java.util.concurrent.TimeUnit.SECONDS))
        .hasCauseInstanceOf(BatchApiException.NotFound.class);
    assertThat(seen.get(0).get("last-event-id")).isEqualTo("5");
  }

  @Test
  void an_ndjson_upload_from_a_stream_arrives_whole_reports_its_bytes_and_is_not_sent_twice() {
    String lines = "{\"input\":1}\n".repeat(10_000);
    script.add(new Scripted(503, Map.of("Retry-After", "0"), problem(503, null)));
    java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    Upload upload = Upload.of(new java.io.ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)))
        .onProgress(sent::set);
    // A stream cannot be read again: the 503 is thrown instead of retried, and the client says so by its type.
    assertThatThrownBy(() -> client.submitNdjson(SubmitOptions.model("m").priority("high"), upload))
        .isInstanceOf(BatchApiException.Unavailable.class);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).get("body")).isEqualTo(lines);
    assertThat(seen.get(0).get("content-type")).isEqualTo("application/x-ndjson");
    assertThat(sent.get()).isEqualTo(lines.length());
  }

  @Test
  void a_file_upload_is_sent_again_after_a_503_and_async_calls_complete_with_the_answer(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("in.bin");
    java.nio.file.Files.write(file, new byte[784 * 3]);
    script.add(new Scripted(503, Map.of("Retry-After", "0"), problem(503, null)));
    script.add(new Scripted(202, Map.of(), "{\"batch_id\":\"b2\",\"status\":\"queued\",\"total\":3}"));
    Batch b = client.submitRawAsync(SubmitOptions.model("m"), Upload.of(file)).get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(b.id()).isEqualTo("b2");
    assertThat(seen).hasSize(2);
    assertThat(seen).extracting(m -> m.get("body").length()).containsOnly(784 * 3);
    assertThat(seen).extracting(m -> m.get("content-type")).containsOnly("application/octet-stream");
    assertThat(seen.get(0).get("idempotency")).isEqualTo(seen.get(1).get("idempotency"));
  }

  @Test
  void streamed_results_are_parsed_line_by_line_from_one_request() {
    script.add(new Scripted(200, Map.of("Content-Type", "application/x-ndjson"),
        "{\"index\":0,\"result\":{\"label\":\"a\"}}\n{\"index\":1,\"error\":{\"code\":\"invalid_input\"}}\n"));
    try (var results = client.streamResults("b1", false)) {
      assertThat(results.map(r -> r.get("index").asInt() + ":" + (r.has("result") ? "ok" : r.at("/error/code").asText())))
          .containsExactly("0:ok", "1:invalid_input");
    }
    assertThat(seen).hasSize(1);
  }
}
