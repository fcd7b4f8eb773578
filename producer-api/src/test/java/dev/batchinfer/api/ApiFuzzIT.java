package dev.batchinfer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.Inputs;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.Env;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated requests against the real API: it never answers 5xx, never accepts a batch
 * from an invalid request, and every error is a valid problem document.
 */
class ApiFuzzIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String VALID = Inputs.batchBody("fashion-mnist", Inputs.images(2, 5), "\"priority\":\"low\"");
  private static ProducerApiApp app;

  @BeforeContainer
  static void start() {
    TestNamespace ns = TestNamespace.create("fuzz");
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, Topics.withPrefix(ns.topicPrefix()), (short) 1);
    }
    app = ProducerApiApp.create(ApiSettings.from(Env.of(ns.env(Map.of("API_PORT", "0", "MODEL_ARTIFACTS",
        "../model-artifacts", "API_INSTANCE_ID", TestInfra.unique("api"), "API_KEYS", ApiClient.API_KEYS,
        "RATE_REQUESTS_PER_SECOND", "100000", "MAX_REQUEST_MB", "1"))))).start();
  }

  @AfterContainer
  static void stop() {
    app.close();
  }

  /** Invalid bodies: mutations of a valid one that each break it, and plain noise. */
  @Provide
  Arbitrary<String> invalidBodies() {
    Arbitrary<String> truncated = Arbitraries.integers().between(0, VALID.length() - 2).map(n -> VALID.substring(0, n));
    Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(300);
    Arbitrary<String> badValue = Arbitraries.oneOf(
        Arbitraries.of("-1", "256", "1.5", "\"x\"", "null", "[]", "{}", "1e400", "true")).map(v ->
        VALID.replaceFirst("\\[(\\d+),", "[" + v + ","));
    // Each pair is invalid by itself: a wrong type, an empty required value, an unknown choice.
    Arbitrary<String> badField = Arbitraries.of(
        "model=1", "model=null", "model=\"\"", "model=[]", "model={}", "model=\"no-such-model\"",
        "priority=1", "priority=null", "priority=\"\"", "priority=\"urgent\"",
        "callback_url=1", "callback_url=\"\"", "callback_url=\"https://127.0.0.1/\"", "callback_url=\"ftp://x\"",
        "metadata=1", "metadata=\"x\"", "metadata=[]",
        "callback_events=1", "callback_events=\"x\"", "callback_events=[\"nope\"]",
        "inputs=1", "inputs=null", "inputs=\"\"", "inputs={}", "inputs=[]")
        .map(pair -> {
          String field = pair.substring(0, pair.indexOf('='));
          String value = pair.substring(pair.indexOf('=') + 1);
          return field.equals("model") || field.equals("inputs")
              ? VALID.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\[.*\\])", "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(value))
              : "{\"" + field + "\":" + value + "," + VALID.substring(1);
        });
    Arbitrary<String> extraField = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12)
        .filter(s -> !List.of("model", "inputs", "priority", "metadata").contains(s))
        .map(s -> "{\"" + s + "\":1," + VALID.substring(1));
    return Arbitraries.oneOf(truncated, noise, badValue, badField, extraField);
  }

  @Property(tries = 150)
  void invalid_submits_get_a_problem_and_are_never_accepted(@ForAll("invalidBodies") String body) throws Exception {
    HttpResponse<String> r = send("POST", "/v1/batch/predict", body, Map.of("Content-Type", "application/json"));
    assertThat(r.statusCode()).as(body).isBetween(400, 499);
    assertProblem(r);
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcxyz/{}%.-_?&=0123456789").ofMaxLength(40).map(s -> "/" + s),
        Arbitraries.strings().alpha().numeric().ofMaxLength(40).map(s -> "/v1/batch/" + s + "/status"),
        Arbitraries.strings().alpha().numeric().ofMaxLength(40).map(s -> "/v1/batch/" + s + "/results?offset=-" + s),
        Arbitraries.strings().alpha().ofMaxLength(20).map(s -> "/v1/models/" + s + "/predict"));
  }

  @Property(tries = 150)
  void random_paths_methods_and_headers_never_cause_a_5xx(@ForAll("paths") String path,
      @ForAll("methods") String method, @ForAll("headerValues") String header) throws Exception {
    String safePath = path.replace(" ", "%20").replace("\"", "%22").replace("\\", "%5C").replace("|", "%7C");
    URI uri;
    try {
      uri = URI.create("http://127.0.0.1:" + app.port() + safePath);
    } catch (IllegalArgumentException notAUri) {
      return; // the client cannot even send it
    }
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri)
        .method(method, HttpRequest.BodyPublishers.ofString("{\"inputs\":[]}"))
        .header("Authorization", "Bearer " + ApiClient.KEY_A)
        .header("X-Model-Version", header).header("Idempotency-Key", header.isEmpty() ? "k" : header)
        .header("Accept", header.isEmpty() ? "*/*" : header).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + safePath).isLessThan(500);
    if (r.statusCode() >= 400) {
      assertProblem(r);
    }
  }

  @net.jqwik.api.Example
  void a_path_jetty_refuses_itself_is_answered_with_a_problem_too() throws Exception {
    // Found by the property below: "/.." is an ambiguous path, refused by Jetty before any route.
    HttpResponse<String> r = send("GET", "/..", "", Map.of());
    assertThat(r.statusCode()).isEqualTo(400);
    assertProblem(r);
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH");
  }

  @Provide
  Arbitrary<String> headerValues() {
    return Arbitraries.strings().withCharRange('!', '~').ofMaxLength(300);
  }

  private static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .header("Authorization", "Bearer " + ApiClient.KEY_A);
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertProblem(HttpResponse<String> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    JsonNode p = JSON.readTree(r.body());
    assertThat(p.get("type").asText()).isNotEmpty();
    assertThat(p.get("title").asText()).isNotEmpty();
    assertThat(p.get("status").asInt()).isEqualTo(r.statusCode());
    assertThat(p.get("request_id").asText()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
  }
}
