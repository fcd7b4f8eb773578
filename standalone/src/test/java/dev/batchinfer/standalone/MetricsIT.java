package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import dev.batchinfer.embedded.testing.PrometheusScrape;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.MetricsSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every service counts on the process's registry, served at GET /metrics: after one 1,000-item
 * batch with a webhook, the counters of each service have moved by what that batch did.
 */
class MetricsIT {

  private static final int ITEMS = 1_000;

  @Test
  void one_batch_moves_the_counters_of_every_service_and_the_scrape_follows_prometheus_conventions() throws Exception {
    assumeTrue(PrometheusScrape.available(), "promtool and python3-prometheus-client not installed");
    try (WebhookReceiver receiver = new WebhookReceiver();
        // A queued-items cap and a body limit the test can exceed, to count a 429 and a 413.
        TestSystem system = new TestSystem("metrics", Map.of("CHUNK_MAX_ITEMS", "250", "MAX_QUEUED_ITEMS", "1500",
            "MAX_REQUEST_MB", "16"));
        MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0), system.metrics)) {
      system.withResultStore().withDispatcher().withApi();
      system.startWorker(system.workerSettings("metrics-worker"));
      ApiClient api = system.api();
      PrometheusScrape before = PrometheusScrape.parse(scrape(server.port()));

      String id = api.submit(aBatch().withItems(ITEMS).withCallback(receiver.url()));
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(2))).isCompletedWith(ITEMS, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
      assertThat(api.post("/v1/batch/predict", "{\"model\":\"fashion-mnist\"}").status()).isEqualTo(400);
      assertThat(api.post("/v1/batch/predict", aBatch().withItems(1_600).json()).status()).as("over the cap").isEqualTo(429);
      assertThat(api.post("/v1/batch/predict", " ".repeat(17 << 20)).status()).as("over the body limit").isEqualTo(413);

      String text = scrape(server.port());
      // Kept for reading: every family the system exposes after one batch.
      java.nio.file.Files.writeString(java.nio.file.Path.of("target", "metrics-scrape.txt"), text);
      PrometheusScrape after = PrometheusScrape.parse(text);
      assertThat(delta(before, after, "batchinfer_api_batches_accepted_total",
          Map.of("model", "fashion-mnist", "priority", "normal"))).isEqualTo(1);
      assertThat(delta(before, after, "batchinfer_api_items_accepted_total", Map.of("model", "fashion-mnist")))
          .isEqualTo(ITEMS);
      assertThat(delta(before, after, "batchinfer_api_requests_seconds_count",
          Map.of("route", "/v1/batch/predict", "method", "POST", "status", "202"))).isEqualTo(1);
      assertThat(delta(before, after, "batchinfer_api_requests_seconds_count",
          Map.of("route", "/v1/batch/{id}/status", "method", "GET", "status", "200"))).isPositive();
      assertThat(delta(before, after, "batchinfer_api_submits_refused_total", Map.of("status", "400"))).isEqualTo(1);
      assertThat(delta(before, after, "batchinfer_api_submits_refused_total", Map.of("status", "429"))).isEqualTo(1);
      assertThat(delta(before, after, "batchinfer_api_submits_refused_total", Map.of("status", "413"))).isEqualTo(1);
      assertThat(after.has("batchinfer_api_body_memory_used_bytes")).isTrue();
      assertThat(delta(before, after, "batchinfer_worker_items_inferred_total",
          Map.of("model", "fashion-mnist", "version", "2.0.0"))).isEqualTo(ITEMS);
      assertThat(delta(before, after, "batchinfer_worker_microbatch_size_count", Map.of("model", "fashion-mnist")))
          .isPositive();
      assertThat(delta(before, after, "batchinfer_worker_microbatch_size_sum", Map.of("model", "fashion-mnist")))
          .isEqualTo(ITEMS);
      assertThat(delta(before, after, "batchinfer_worker_model_call_seconds_count", Map.of("model", "fashion-mnist")))
          .isPositive();
      assertThat(after.has("batchinfer_worker_microbatch_queue_delay_seconds_bucket")).isTrue();
      assertThat(after.sum("batchinfer_worker_inference_threads_alive")).isGreaterThanOrEqualTo(1);
      assertThat(after.has("batchinfer_worker_partitions_paused")).isTrue();
      assertThat(after.has("batchinfer_worker_consumer_lag_records")).isTrue();
      assertThat(after.sum("batchinfer_worker_consumer_lag_records", Map.of("priority", "normal"))).as("all read").isZero();
      assertThat(after.has("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
      assertThat(delta(before, after, "batchinfer_progress_batches_finished_total", Map.of("status", "completed")))
          .isEqualTo(1);
      assertThat(delta(before, after, "batchinfer_progress_chunks_counted_total", Map.of())).isEqualTo(ITEMS / 250);
      Map<String, String> delivered = Map.of("outcome", "delivered", "status_class", "2xx");
      await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusScrape.parse(scrape(server.port()))
          .sum("batchinfer_dispatcher_attempts_total", delivered) == before.sum("batchinfer_dispatcher_attempts_total", delivered) + 1);
      assertThat(after.has("batchinfer_dispatcher_attempt_duration_seconds_bucket")).isTrue();
      assertThat(after.has("batchinfer_dispatcher_pending_deliveries")).isTrue();
      // Counted from the topology's store at most every 5 s: wait for a count taken after the batch ended.
      await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusScrape.parse(scrape(server.port()))
          .sum("batchinfer_progress_batches", Map.of("status", "completed")) >= 1);
      assertThat(delta(before, after, "batchinfer_worker_microbatch_queue_delay_seconds_count",
          Map.of("model", "fashion-mnist"))).isPositive();
      assertThat(PrometheusScrape.lintOurs(text)).isEmpty();
      // The committed Grafana dashboard asks only for series the system really exposes.
      String dashboard = java.nio.file.Files.readString(
          java.nio.file.Path.of("../observability/compose/grafana/dashboards/batch-inference.json"));
      java.util.Set<String> asked = java.util.regex.Pattern.compile("\\b(batchinfer_[a-z_]+|jvm_[a-z_]+)").matcher(dashboard)
          .results().map(m -> m.group(1)).collect(java.util.stream.Collectors.toSet());
      assertThat(asked).hasSizeGreaterThan(15).allSatisfy(name -> assertThat(after.has(name) || ONLY_AFTER_A_FAILURE.contains(name)).as(name).isTrue());
      assertThat(after.has("kafka_consumer_fetch_manager_records_consumed_total")).as("Kafka client metrics").isTrue();
      assertThat(text.lines().filter(l -> l.startsWith("kafka_producer_record_send_total{") && l.contains(".producer-api-")))
          .as("the API's transactional producers report Kafka's client metrics too").isNotEmpty();

      HttpResponse<String> admin = get(api.base() + "/v1/metrics", ApiClient.KEY_ADMIN);
      assertThat(admin.statusCode()).isEqualTo(200);
      assertThat(PrometheusScrape.parse(admin.body()).has("batchinfer_api_batches_accepted_total")).isTrue();
      assertThat(get(api.base() + "/v1/metrics", ApiClient.KEY_A).statusCode()).as("a tenant key").isEqualTo(403);
    }
  }

  /** Series that appear with their first failure; WorkerGuardsIT makes them move. */
  private static final java.util.Set<String> ONLY_AFTER_A_FAILURE =
      java.util.Set.of("batchinfer_worker_items_failed_total", "batchinfer_worker_chunks_dead_lettered_total");

  private static double delta(PrometheusScrape before, PrometheusScrape after, String name, Map<String, String> labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  static String scrape(int port) throws Exception {
    HttpResponse<String> r = get("http://127.0.0.1:" + port + "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static HttpResponse<String> get(String url, String key) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
    if (key != null) {
      r.header("Authorization", "Bearer " + key);
    }
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
