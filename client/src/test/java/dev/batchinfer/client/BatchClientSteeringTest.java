package dev.batchinfer.client;

import static dev.batchinfer.client.ScriptedServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.client.ScriptedServer.Scripted;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pause, resume and capacity over real HTTP to the scripted loopback server: the routes the client calls, and
 * every field of their answers, of a status with its pauses, and of the capacity a 429 carries.
 */
class BatchClientSteeringTest {

  /** {@code GET /v1/capacity} as the API writes it (two versions measured, one estimate). */
  static final String CAPACITY = """
      {"tenant":"tenant-a","at":"2026-12-07T20:47:25.123Z",
       "queues":{"high":{"batches":1,"items":40,"items_exact":true},
                 "normal":{"batches":3,"items":12000,"items_exact":true},
                 "low":{"batches":250,"items":2500000,"items_exact":false}},
       "throughput":[{"model":"fashion-mnist","version":"2.0.0","items_per_second":4653.5,"window_seconds":300,"served":true},
                     {"model":"fashion-mnist","version":"1.0.0","items_per_second":0.0,"window_seconds":300,"served":false}],
       "estimates":[{"model":"fashion-mnist","version":"2.0.0","priority":"high","items":5000,"batches_ahead":1,
                     "items_ahead":40,"items_per_second":4653.5,"measured":true,"wait_seconds":1.083,
                     "completion":"2026-12-07T20:47:26.206Z"}],
       "quota":{"queued_items":{"used":12000,"limit":1000000,"remaining":988000},
                "requests":{"rate_per_second":50.0,"burst":100.0,"available":97.0,"used":3.0,"full_in_seconds":0.06},
                "items":{"rate_per_second":20000.0,"burst":200000.0,"available":188000.0,"used":12000.0,
                         "full_in_seconds":0.6}}}""";

  private final ScriptedServer server = new ScriptedServer();
  private final BatchClient client = server.client();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void pause_and_resume_post_to_their_routes_and_say_what_they_did() {
    server.script.add(new Scripted(202, Map.of(), "{\"batch_id\":\"b 1\",\"status\":\"processing\",\"paused\":true}"));
    server.script.add(new Scripted(202, Map.of(),
        "{\"batch_id\":\"b 1\",\"status\":\"processing\",\"paused\":false,\"released_chunks\":4}"));
    PauseAnswer paused = client.pause("b 1");
    assertThat(paused).extracting(PauseAnswer::batchId, PauseAnswer::status, PauseAnswer::paused,
        PauseAnswer::releasedChunks).containsExactly("b 1", "processing", true, 0L);
    PauseAnswer resumed = client.resume("b 1");
    assertThat(resumed.paused()).isFalse();
    assertThat(resumed.releasedChunks()).isEqualTo(4);
    assertThat(server.seen).extracting(m -> m.get("method") + " " + m.get("path"))
        .containsExactly("POST /v1/batch/b+1/pause", "POST /v1/batch/b+1/resume");
    assertThat(server.seen).extracting(m -> m.get("content-type") + " " + m.get("body"))
        .containsOnly("application/json {}");
  }

  @Test
  void a_pause_of_a_finished_batch_is_a_conflict_and_of_another_tenants_one_not_found() {
    server.script.add(new Scripted(409, Map.of(), problem(409, null)));
    server.script.add(new Scripted(404, Map.of(), problem(404, null)));
    assertThatThrownBy(() -> client.pause("b1")).isInstanceOf(BatchApiException.Conflict.class);
    assertThatThrownBy(() -> client.resume("b1")).isInstanceOf(BatchApiException.NotFound.class);
    assertThat(server.seen).hasSize(2);
  }

  @Test
  void a_status_says_whether_the_batch_is_paused_and_lists_its_pauses_and_resumes() {
    server.script.add(new Scripted(200, Map.of(), "{\"batch_id\":\"b1\",\"status\":\"processing\",\"paused\":true,"
        + "\"history\":[{\"change\":\"paused\",\"at\":\"2026-12-07T20:47:25Z\"},"
        + "{\"change\":\"resumed\",\"at\":\"2026-12-07T20:48:00.5Z\"},{\"change\":\"paused\",\"at\":\"2026-12-07T20:49:00Z\"}],"
        + "\"progress\":{\"completed\":5,\"failed\":0,\"cancelled\":0,\"total\":10}}"));
    server.script.add(new Scripted(200, Map.of(), "{\"batch_id\":\"b2\",\"status\":\"queued\",\"history\":null}"));
    Batch b = client.status("b1");
    assertThat(b.paused()).isTrue();
    assertThat(b.history()).containsExactly(new Batch.Change("paused", Instant.parse("2026-12-07T20:47:25Z")),
        new Batch.Change("resumed", Instant.parse("2026-12-07T20:48:00.5Z")),
        new Batch.Change("paused", Instant.parse("2026-12-07T20:49:00Z")));
    Batch never = client.status("b2");
    assertThat(never.paused()).isFalse();
    assertThat(never.history()).isEmpty();
  }

  @Test
  void capacity_reads_every_field_and_sends_only_the_parameters_given() {
    server.script.add(new Scripted(200, Map.of(), CAPACITY));
    server.script.add(new Scripted(200, Map.of(), CAPACITY));
    Capacity c = client.capacity();
    assertThat(c.tenant()).isEqualTo("tenant-a");
    assertThat(c.at()).isEqualTo(Instant.parse("2026-12-07T20:47:25.123Z"));
    assertThat(c.queues()).containsOnlyKeys("high", "normal", "low");
    assertThat(c.queues().keySet()).containsExactly("high", "normal", "low");
    assertThat(c.queue("high")).contains(new Capacity.Queue(1, 40, true));
    assertThat(c.queue("low")).contains(new Capacity.Queue(250, 2_500_000, false));
    assertThat(c.queue("urgent")).isEmpty();
    assertThat(c.throughput()).containsExactly(
        new Capacity.Throughput("fashion-mnist", "2.0.0", 4653.5, 300, true),
        new Capacity.Throughput("fashion-mnist", "1.0.0", 0, 300, false));
    assertThat(c.estimates()).containsExactly(new Capacity.Estimate("fashion-mnist", "2.0.0", "high", 5000, 1, 40,
        4653.5, true, 1.083, Instant.parse("2026-12-07T20:47:26.206Z")));
    assertThat(c.quota()).isEqualTo(new Capacity.Quota(new Capacity.QueuedItems(12_000, 1_000_000, 988_000),
        new Capacity.Bucket(50, 100, 97, 3, 0.06), new Capacity.Bucket(20_000, 200_000, 188_000, 12_000, 0.6)));
    assertThat(c.raw().path("tenant").asText()).isEqualTo("tenant-a");

    client.capacity("fashion-mnist", "high", 5_000L);
    assertThat(server.seen).extracting(m -> m.get("method") + " " + m.get("path"))
        .containsExactly("GET /v1/capacity", "GET /v1/capacity?model=fashion-mnist&priority=high&items=5000");
  }

  @Test
  void a_429_after_the_last_attempt_carries_the_capacity_it_was_refused_at_and_a_503_none() {
    String refused = problem(429, null).replaceFirst("}$", ",\"capacity\":" + CAPACITY + "}");
    for (int i = 0; i < 3; i++) {
      server.script.add(new Scripted(429, Map.of("Retry-After", "0"), refused));
    }
    server.script.add(new Scripted(503, Map.of(), problem(503, null)));
    server.script.add(new Scripted(503, Map.of(), problem(503, null)));
    server.script.add(new Scripted(503, Map.of(), problem(503, null)));
    assertThatThrownBy(() -> client.submit(SubmitOptions.model("m"), List.of(1)))
        .isInstanceOfSatisfying(BatchApiException.Unavailable.class, e -> {
          assertThat(e.status()).isEqualTo(429);
          assertThat(e.capacity()).hasValueSatisfying(c -> {
            assertThat(c.tenant()).isEqualTo("tenant-a");
            assertThat(c.quota().queuedItems().remaining()).isEqualTo(988_000);
            assertThat(c.estimates()).singleElement().extracting(Capacity.Estimate::waitSeconds).isEqualTo(1.083);
          });
        });
    assertThatThrownBy(() -> client.status("b1")).isInstanceOfSatisfying(BatchApiException.Unavailable.class,
        e -> assertThat(e.capacity()).isEmpty());
  }
}
