package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.worker.GpuWorkerApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versions, canary, shadow, rollback and sync predict against the real pipeline. */
class ModelRolloutIT {

  private static final String ADMIN = ApiClient.KEY_ADMIN;
  private static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
      "Shirt", "Sneaker", "Bag", "Ankle boot");
  private static final String REGISTRY = """
      models:
        fashion-mnist:
          production: 1.0.0
          canary: {version: 1.1.0, traffic: 0.1}
          shadow: [1.1.0]
          archived: [0.9.0]
      """;

  @TempDir Path tmp;

  private TestSystem system(String name, Map<String, String> extra) {
    Path artifacts = TestArtifacts.create(tmp.resolve("artifacts"), List.of("0.9.0", "1.0.0", "1.1.0"),
        List.of("1.1.0"), REGISTRY);
    Map<String, String> env = new java.util.HashMap<>(Map.of("MODEL_ARTIFACTS", artifacts.toString(),
        "CHUNK_MAX_ITEMS", "100"));
    env.putAll(extra);
    return new TestSystem(name, env);
  }

  private static String version(ApiClient.Answer a) {
    return a.body().get("model_version").asText();
  }

  @Test
  void versions_are_pinned_by_header_or_major_and_unknown_or_archived_ones_are_refused() {
    try (TestSystem system = system("versions", Map.of())) {
      system.withApi();
      ApiClient api = system.api();
      String body = Inputs.batchBody("fashion-mnist", Inputs.images(2, 1), null);

      assertThat(version(post(api, body, "1.1.0"))).isEqualTo("1.1.0");
      assertThat(version(api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist-v1", Inputs.images(1, 1), null))))
          .isEqualTo("1.1.0"); // the newest served 1.x
      ApiClient.Answer unknown = post(api, body, "9.9.9");
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.body().get("field").asText()).isEqualTo("X-Model-Version");
      assertThat(post(api, body, "0.9.0").status()).isEqualTo(410);
      assertThat(api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist-v7", Inputs.images(1, 1), null)).status())
          .isEqualTo(404);

      Set<String> routed = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        ApiClient.Answer a = api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(1, i), null));
        routed.add(version(a));
        assertThat(version(api.get("/v1/batch/" + a.body().get("batch_id").asText() + "/status"))).isEqualTo(version(a));
      }
      assertThat(routed).containsExactlyInAnyOrder("1.0.0", "1.1.0");

      JsonNode model = api.get("/v1/models/fashion-mnist").body();
      assertThat(model.get("production_version").asText()).isEqualTo("1.0.0");
      Map<String, JsonNode> byVersion = new java.util.HashMap<>();
      model.get("versions").forEach(v -> byVersion.put(v.get("version").asText(), v));
      assertThat(byVersion.get("1.0.0").get("stage").asText()).isEqualTo("production");
      assertThat(byVersion.get("1.0.0").get("traffic").asDouble()).isCloseTo(0.9, within(1e-9));
      assertThat(byVersion.get("1.1.0").get("stage").asText()).isEqualTo("canary");
      assertThat(byVersion.get("0.9.0").get("stage").asText()).isEqualTo("archived");
      assertThat(byVersion.get("1.0.0").at("/input/shape/0").asInt()).isEqualTo(784);
      assertThat(byVersion.get("1.0.0").get("max_batch_size").asInt()).isPositive();
      assertThat(byVersion.get("1.0.0").at("/evaluation/accuracy").asDouble()).isGreaterThan(0.8);
      assertThat(api.get("/v1/models").body().get("models")).hasSize(1);
    }
  }

  @Test
  void shadow_outputs_are_recorded_never_returned_and_disagreement_demotes_the_canary() throws Exception {
    try (TestSystem system = system("shadow", Map.of("ROLLBACK_MIN_ITEMS", "300", "ROLLBACK_CHECK_INTERVAL", "300ms"))) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("shadow-worker"));
      ApiClient api = system.api();
      String id = post(api, Inputs.batchBody("fashion-mnist", Inputs.images(600, 5), null), "1.0.0")
          .body().get("batch_id").asText();

      await().atMost(Duration.ofMinutes(1)).until(() ->
          "completed".equals(api.get("/v1/batch/" + id + "/status").body().get("status").asText()));
      for (String line : api.getNdjson("/v1/batch/" + id + "/results").body().split("\n")) {
        JsonNode r = ApiClient.JSON.readTree(line).get("result");
        assertThat(r.get("model_version").asText()).isEqualTo("1.0.0");
        assertThat(r.get("label").asText()).isEqualTo(LABELS.get(r.get("class_id").asInt())); // 1.0.0's labels, not the shadow's
      }
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        JsonNode pair = api.get("/v1/models/fashion-mnist/shadow-report").body().at("/pairs/0");
        assertThat(pair.get("shadow_version").asText()).isEqualTo("1.1.0");
        assertThat(pair.get("items_compared").asLong()).isEqualTo(600);
      });
      JsonNode pair = api.get("/v1/models/fashion-mnist/shadow-report").body().at("/pairs/0");
      assertThat(pair.get("agreement_rate").asDouble()).isZero(); // reversed labels never agree
      assertThat(pair.get("confusion")).isNotEmpty();

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode model = api.get("/v1/models/fashion-mnist").body();
        assertThat(model.toString()).doesNotContain("\"stage\":\"canary\"");
        assertThat(model.get("history").get(model.get("history").size() - 1).get("reason").asText())
            .contains("automated").contains("disagrees");
      });
    }
  }

  @Test
  void rollback_moves_production_back_and_says_why_and_needs_an_admin_key() {
    try (TestSystem system = system("rollback", Map.of())) {
      system.withApi();
      ApiClient api = system.api();
      String switchTo = "{\"production\":\"1.1.0\",\"shadow\":[],\"archived\":[\"0.9.0\"],\"reason\":\"blue-green to 1.1.0\"}";
      assertThat(admin(api, "PUT", "/v1/models/fashion-mnist/deployment", switchTo, null).statusCode()).isEqualTo(401);
      assertThat(admin(api, "PUT", "/v1/models/fashion-mnist/deployment", switchTo, ApiClient.KEY_A).statusCode())
          .isEqualTo(403); // a tenant's key is not an admin's
      assertThat(admin(api, "PUT", "/v1/models/fashion-mnist/deployment", switchTo, ADMIN).statusCode()).isEqualTo(200);
      assertThat(api.get("/v1/models/fashion-mnist").body().get("production_version").asText()).isEqualTo("1.1.0");
      assertThat(version(api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(1, 1), null))))
          .isEqualTo("1.1.0");

      assertThat(admin(api, "POST", "/v1/models/fashion-mnist/rollback", "{\"reason\":\"labels look wrong\"}", null)
          .statusCode()).isEqualTo(401);
      assertThat(admin(api, "POST", "/v1/models/fashion-mnist/rollback", "{\"reason\":\"labels look wrong\"}", ADMIN)
          .statusCode()).isEqualTo(200);
      JsonNode model = api.get("/v1/models/fashion-mnist").body();
      assertThat(model.get("production_version").asText()).isEqualTo("1.0.0");
      JsonNode last = model.get("history").get(model.get("history").size() - 1);
      assertThat(last.get("change").asText()).contains("rollback").contains("1.1.0 -> 1.0.0");
      assertThat(last.get("reason").asText()).isEqualTo("labels look wrong");
      assertThat(version(api.post("/v1/batch/predict", Inputs.batchBody("fashion-mnist", Inputs.images(1, 2), null))))
          .isEqualTo("1.0.0"); // the switch removed the canary; 1.1.0 is staging now
    }
  }

  @Test
  void sync_predict_matches_the_model_and_answers_503_without_a_worker_413_when_too_large_and_504_on_timeout() {
    byte[][] images = Inputs.images(5, 9);
    String body = "{\"inputs\":" + Inputs.batchBody("x", images, null).replaceFirst("^\\{\"model\":\"x\",\"inputs\":", "");
    // A 5 s timeout leaves room for one call on a busy CI machine.
    try (TestSystem system = system("sync", Map.of("SYNC_TIMEOUT", "5s", "MAX_REQUEST_MB", "1"))) {
      system.withResultStore().withApi();
      ApiClient api = system.api();
      ApiClient.Answer none = api.post("/v1/models/fashion-mnist/predict", body);
      assertThat(none.status()).isEqualTo(503);
      assertThat(none.raw().headers().firstValue("Retry-After")).isPresent();

      GpuWorkerApp worker = system.startWorker(system.workerSettings("sync-worker"));
      await().atMost(Duration.ofSeconds(30)).until(() -> api.post("/v1/models/fashion-mnist-v1/predict", body).status() == 200);
      ApiClient.Answer answer = postPinned(api, "/v1/models/fashion-mnist/predict", body, "1.0.0");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body().get("model_version").asText()).isEqualTo("1.0.0");
      assertThat(answer.body().at("/usage/items").asInt()).isEqualTo(5);
      float[][] expected = DirectModel.predict(TestArtifacts.SOURCE, images);
      for (int i = 0; i < images.length; i++) {
        int best = DirectModel.argMax(expected[i]);
        assertThat(answer.body().at("/results/" + i + "/label").asText()).isEqualTo(LABELS.get(best));
        assertThat(answer.body().at("/results/" + i + "/score").floatValue()).isCloseTo(expected[i][best], within(1e-5f));
      }
      ApiClient.Answer tooLarge = api.post("/v1/models/fashion-mnist/predict", "{\"inputs\":[" + "0,".repeat(600_000) + "0]}");
      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.body().get("detail").asText()).contains("smaller batches")
          .doesNotContain("MAX_REQUEST_MB");

      worker.halt(); // its heartbeat is still fresh, but nobody will answer
      ApiClient.Answer late = postPinned(api, "/v1/models/fashion-mnist/predict", body, "1.0.0");
      assertThat(late.status()).isEqualTo(504);
      assertThat(late.contentType()).startsWith("application/problem+json");
    }
  }

  @Test
  void a_worker_without_the_pinned_version_hands_its_chunks_to_one_that_has_it() throws Exception {
    Path onlyOld = TestArtifacts.create(tmp.resolve("only-1.0.0"), List.of("1.0.0"), List.of(),
        "models:\n  fashion-mnist:\n    production: 1.0.0\n");
    try (TestSystem system = system("requeue", Map.of())) {
      system.withResultStore().withApi();
      system.startWorker(system.workerSettings("worker-old", Map.of("MODEL_ARTIFACTS", onlyOld.toString())));
      ApiClient api = system.api();
      String id = post(api, Inputs.batchBody("fashion-mnist", Inputs.images(1_000, 4), null), "1.1.0")
          .body().get("batch_id").asText();
      system.startWorker(system.workerSettings("worker-new"));

      await().atMost(Duration.ofMinutes(1)).until(() ->
          "completed".equals(api.get("/v1/batch/" + id + "/status").body().get("status").asText()));
      assertThat(api.get("/v1/batch/" + id + "/status").body().at("/progress/failed").asLong()).isZero();
      Set<String> workers = new HashSet<>();
      for (var r : dev.batchinfer.embedded.testing.TopicReader.readAll(system.topics.progress().name(), false)) {
        var done = system.topics.progress().valueSerde().deserializer().deserialize("", r.value());
        if (done.batchId().equals(id) && done instanceof dev.batchinfer.topics.message.ProgressEvent.ChunkFinished chunk) {
          workers.add(chunk.workerId());
        }
      }
      assertThat(workers).containsExactly("worker-new");
    }
  }

  private static ApiClient.Answer post(ApiClient api, String body, String version) {
    return postPinned(api, "/v1/batch/predict", body, version);
  }

  private static ApiClient.Answer postPinned(ApiClient api, String path, String body, String version) {
    return api.postWithHeader(path, body, "X-Model-Version", version);
  }

  private static HttpResponse<String> admin(ApiClient api, String method, String path, String body, String token) {
    try {
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(api.base() + path))
          .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
      if (token != null) {
        r.header("Authorization", "Bearer " + token);
      }
      return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
