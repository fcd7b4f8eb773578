package dev.batchinfer.api;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.idempotency.IdempotencyStore;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.api.read.EtaEstimator;
import dev.batchinfer.api.submit.BatchAcceptor;
import dev.batchinfer.embedded.EmbeddedRedis;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.topics.message.Priority;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Once a batch's chunks are committed its answer is 202, whatever Redis does (a redis-server of this
 * test's own, stopped with SIGSTOP): the body falls back to what was known at acceptance, and the
 * Idempotency-Key's response is stored as soon as Redis is back, so a repeat never makes a second batch.
 */
class AcceptedDespiteRedisIT {

  private EmbeddedRedis redis;
  private String url;

  @BeforeEach
  void start() {
    redis = EmbeddedRedis.start(0);
    url = redis.url() + "?timeout=500ms";
  }

  @AfterEach
  void stop() throws Exception {
    signal("CONT");
    redis.close();
  }

  @Test
  void the_202_body_of_a_committed_batch_is_built_without_redis() throws Exception {
    Instant eta = Instant.parse("2026-12-07T03:00:00Z");
    BatchRecord record = BatchRecord.queued("b-1", "tenant-a", "fashion-mnist", "2.0.0", Priority.NORMAL, 100,
        new long[] {0}, null, List.of(), null, Instant.now(), eta, Instant.now().plusSeconds(3600), Duration.ofDays(1));
    try (Redis shared = Redis.connect(url, "t:")) {
      BatchStores store = BatchStores.over(shared);
      ModelTelemetry telemetry = new ModelTelemetry(shared);
      BatchView view = new BatchView(new ObjectMapper(), "http://127.0.0.1", new EtaEstimator(store.queue(), telemetry, 1000,
          Clock.systemUTC()));
      signal("STOP");
      Map<String, Object> body = view.accepted(new BatchAcceptor.Accepted(record, 7));
      assertThat(body).containsEntry("batch_id", "b-1").containsEntry("queue_position", 7L)
          .containsEntry("estimated_completion", eta.toString());
    }
  }

  @Test
  void the_idempotency_key_of_an_accepted_batch_is_completed_once_redis_is_back() throws Exception {
    try (Redis shared = Redis.connect(url, "t:");
        IdempotencyStore idempotency = new IdempotencyStore(shared, IdempotencyStore.DEFAULT_CLAIM_TTL)) {
      IdempotencyStore.Claim claim = idempotency.claim("tenant-a", "key-1");
      assertThat(claim.taken()).isTrue();
      signal("STOP");
      idempotency.completeAccepted(claim, "hash", 202, "/v1/batch/b-1/status", "{\"batch_id\":\"b-1\"}");
      signal("CONT");

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        IdempotencyStore.Claim repeat = idempotency.claim("tenant-a", "key-1");
        assertThat(repeat.taken()).isFalse();
        assertThat(repeat.held().inFlight()).isFalse();
        assertThat(repeat.held().response()).isEqualTo("{\"batch_id\":\"b-1\"}");
      });
    }
  }

  private void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(redis.pid())).inheritIO().start().waitFor();
  }
}
