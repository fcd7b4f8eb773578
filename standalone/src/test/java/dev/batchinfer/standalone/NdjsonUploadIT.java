package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TopicReader;
import dev.batchinfer.topics.message.Priority;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Streamed NDJSON uploads: bounded memory, all or nothing, errors by line, dry runs, custom ids. */
class NdjsonUploadIT {

  private static final int LINES = 200_000;
  private static final int LINE_CHARS = 600;
  /** The API's whole heap in the big upload: well below the ~125 MB the body's inputs alone take. */
  private static final int API_HEAP_MB = 64;

  @Test
  void a_200k_line_upload_is_accepted_by_an_api_with_a_64_mb_heap_and_completes_with_custom_ids_echoed() throws Exception {
    try (TestSystem system = new TestSystem("ndjson-big", Map.of())) {
      system.withResultStore();
      system.startWorker(system.workerSettings("big-worker"));
      try (ApiJvm api = ApiJvm.start(system, API_HEAP_MB, Map.of())) {
        ApiClient client = api.client();

        NdjsonLines body = new NdjsonLines(LINES, i -> NdjsonLines.textLine(i, LINE_CHARS));
        long started = System.nanoTime();
        // A short retention: these 50 MB of results should not stay a week in a shared Redis.
        ApiClient.Answer accepted = client.postNdjson("/v1/batch/predict?model=language-id&priority=low&retention=10m", () -> body);
        long uploadMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(accepted.status()).as("%s", accepted.body()).isEqualTo(202);
        assertThat(accepted.body().at("/progress/total").asLong()).isEqualTo(LINES);
        assertThat(accepted.body().at("/usage/items").asLong()).isEqualTo(LINES);
        long inputBytes = accepted.body().at("/usage/input_bytes").asLong();
        // Had the API kept the inputs (let alone the body, or a JSON tree of it), they would not fit its heap.
        assertThat(inputBytes).isGreaterThan(API_HEAP_MB * 1024L * 1024 * 3 / 2);
        assertThat(api.alive()).isTrue();
        String id = accepted.body().get("batch_id").asText();
        System.out.printf("NDJSON upload: %d lines, %d body bytes, %d input bytes, accepted in %d ms; API -Xmx%dm, "
            + "heap at a GC / after a full GC at most %s MB%n", LINES, body.bytesRead(), inputBytes, uploadMs, API_HEAP_MB,
            api.peakHeapMb());

        started = System.nanoTime();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() ->
            client.get("/v1/batch/" + id + "/status").body().get("status").asText().equals("completed"));
        System.out.printf("NDJSON batch of %d lines completed %d s after it was accepted%n", LINES,
            (System.nanoTime() - started) / 1_000_000_000);
        JsonNode status = client.get("/v1/batch/" + id + "/status").body();
        assertThat(status.at("/progress/completed").asLong()).isEqualTo(LINES);
        for (int index : new int[] {0, 1, 123_457, LINES - 1}) {
          JsonNode item = client.get("/v1/batch/" + id + "/results?offset=" + index + "&limit=1").body().at("/results/0");
          assertThat(item.get("index").asInt()).isEqualTo(index);
          assertThat(item.get("custom_id").asText()).isEqualTo("row-" + index);
          assertThat(item.at("/result/label").asText()).isEqualTo(NdjsonLines.languageOf(index));
        }
      }
    }
  }

  @Test
  void an_upload_cut_off_midway_leaves_nothing_queued_recorded_or_reserved() throws Exception {
    RedisClient redis = RedisClient.create(TestInfra.redisUrl());
    try (TestSystem system = new TestSystem("ndjson-cut", Map.of("CHUNK_MAX_ITEMS", "100"));
        StatefulRedisConnection<String, String> conn = redis.connect()) {
      system.withApi();
      int port = system.apiPort();
      try (Socket socket = new Socket("127.0.0.1", port)) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/batch/predict?model=language-id HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer " + ApiClient.KEY_A + "\r\nContent-Type: application/x-ndjson\r\n"
            + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 2_000; i++) {
          out.write((NdjsonLines.textLine(i, 100) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        // Chunks are on their way inside the open transaction before the client goes away.
        await().atMost(Duration.ofSeconds(30)).until(() -> requestRecords(system) > 0);
      }
      // The API notices, aborts: once the abort markers are in, nothing was committed.
      for (Priority p : Priority.values()) {
        assertThat(TopicReader.readCommittedOnceSettled(system.topics.requests(p).name())).isEmpty();
      }
      // The API removes the record, then releases the reservation: wait for both.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(conn.sync().keys(system.ns.redisKeyPrefix() + "batch:*")).isEmpty();
        assertThat(conn.sync().hlen(system.ns.redisKeyPrefix() + "tenant:{tenant-a}:active")).isZero();
      });
      // The API is fine afterwards: the next upload goes through.
      assertThat(system.api().postNdjson("/v1/batch/predict?model=language-id", NdjsonLines.textLine(1, 50)).status())
          .isEqualTo(202);
    } finally {
      redis.shutdown();
    }
  }

  @Test
  void a_bad_line_is_named_by_its_number_a_repeated_custom_id_by_both_and_neither_queues_anything() {
    try (TestSystem system = apiOnly("ndjson-bad")) {
      ApiClient api = system.api();
      String body = NdjsonLines.text(500, 40);
      ApiClient.Answer badLine = api.postNdjson("/v1/batch/predict?model=language-id",
          body + "{\"input\":{\"text\":42},\"custom_id\":\"row-500\"}\n");
      assertThat(badLine.status()).isEqualTo(400);
      assertThat(badLine.contentType()).startsWith("application/problem+json");
      assertThat(badLine.body().get("line").asInt()).isEqualTo(501);
      assertThat(badLine.body().get("field").asText()).startsWith("/input/text");
      assertThat(badLine.body().get("detail").asText()).startsWith("line 501:");

      ApiClient.Answer duplicate = api.postNdjson("/v1/batch/predict?model=language-id",
          body + NdjsonLines.textLine(17, 40) + "\n");
      assertThat(duplicate.status()).isEqualTo(422);
      assertThat(duplicate.body().get("line").asInt()).isEqualTo(501);
      assertThat(duplicate.body().get("first_line").asInt()).isEqualTo(18);
      assertThat(duplicate.body().get("custom_id").asText()).isEqualTo("row-17");

      ApiClient.Answer noModel = api.postNdjson("/v1/batch/predict?priority=low", body);
      assertThat(noModel.status()).isEqualTo(400);
      assertThat(noModel.body().get("field").asText()).isEqualTo("model");
      ApiClient.Answer badWindow = api.postNdjson("/v1/batch/predict?model=language-id&completion_window=soon", body);
      assertThat(badWindow.body().get("field").asText()).isEqualTo("completion_window");

      for (Priority p : Priority.values()) {
        assertThat(TopicReader.readCommittedOnceSettled(system.topics.requests(p).name())).isEmpty();
      }
    }
  }

  @Test
  void a_dry_run_counts_items_chunks_bytes_and_duplicates_and_queues_nothing() {
    try (TestSystem system = apiOnly("ndjson-dry")) {
      ApiClient api = system.api();
      String body = NdjsonLines.text(250, 40) + NdjsonLines.textLine(3, 40) + "\n";
      ApiClient.Answer dry = api.postNdjson("/v1/batch/predict?model=language-id&dry_run=true", body);
      assertThat(dry.status()).isEqualTo(200);
      assertThat(dry.body().get("dry_run").asBoolean()).isTrue();
      assertThat(dry.body().get("items").asLong()).isEqualTo(251);
      assertThat(dry.body().get("chunks").asLong()).isEqualTo(3);
      assertThat(dry.body().get("input_bytes").asLong()).isPositive();
      assertThat(dry.body().get("duplicate_custom_id_count").asLong()).isEqualTo(1);
      assertThat(dry.body().at("/duplicate_custom_ids/0/custom_id").asText()).isEqualTo("row-3");
      assertThat(dry.body().at("/duplicate_custom_ids/0/line").asInt()).isEqualTo(251);
      assertThat(dry.body().at("/duplicate_custom_ids/0/first_line").asInt()).isEqualTo(4);
      assertThat(dry.body().get("estimated_completion").asText()).isNotEmpty();

      ApiClient.Answer json = api.post("/v1/batch/predict?dry_run=true",
          "{\"model\":\"language-id\",\"inputs\":[{\"text\":\"Hallo Welt, wie geht es dir heute?\"},{\"text\":\"Bonjour\"}]}");
      assertThat(json.status()).isEqualTo(200);
      assertThat(json.body().get("items").asLong()).isEqualTo(2);
      assertThat(json.body().get("chunks").asLong()).isEqualTo(1);
      ApiClient.Answer invalid = api.post("/v1/batch/predict?dry_run=true", "{\"model\":\"language-id\",\"inputs\":[{}]}");
      assertThat(invalid.status()).isEqualTo(400);

      assertThat(requestRecords(system)).isZero();
      assertThat(api.get("/v1/batches").body().get("data")).isEmpty();
    }
  }

  @Test
  void an_idempotency_key_covers_a_streamed_upload_whole() {
    try (TestSystem system = apiOnly("ndjson-idem")) {
      ApiClient api = system.api();
      String body = NdjsonLines.text(300, 40);
      java.util.function.Function<String, ApiClient.Answer> post = text -> api.exchange(
          "/v1/batch/predict?model=language-id", r -> r.header("Content-Type", "application/x-ndjson")
              .header("Idempotency-Key", "upload-1").POST(java.net.http.HttpRequest.BodyPublishers.ofString(text)));
      ApiClient.Answer first = post.apply(body);
      long records = settledRequestRecords(system);
      ApiClient.Answer again = post.apply(body);
      assertThat(first.status()).isEqualTo(202);
      assertThat(again.status()).isEqualTo(202);
      assertThat(again.body().get("batch_id")).isEqualTo(first.body().get("batch_id"));
      assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
      assertThat(settledRequestRecords(system)).isEqualTo(records);
      assertThat(post.apply(body + NdjsonLines.textLine(300, 40) + "\n").status()).isEqualTo(422);
    }
  }

  @Test
  void a_trickling_upload_is_408_with_a_problem_and_leaves_nothing_behind() throws Exception {
    Duration window = Duration.ofSeconds(1);
    try (TestSystem system = new TestSystem("ndjson-slow", Map.of("CHUNK_MAX_ITEMS", "100",
        "UPLOAD_RATE_WINDOW", "1s", "UPLOAD_MIN_BYTES_PER_SECOND", "1000000")).withApi();
        Upload upload = new Upload(system.apiPort(), "/v1/batch/predict?model=language-id")) {
      upload.send(0, 50);
      // A client that goes quiet for longer than the rate window, then sends one more line.
      long quietSince = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - quietSince > window.toNanos() * 3);
      upload.send(50, 51);
      Answer answer = upload.answer();

      assertThat(answer.status()).isEqualTo(408);
      assertThat(answer.contentType()).startsWith("application/problem+json");
      assertThat(answer.body().get("type").asText()).isEqualTo("/problems/upload-timeout");
      assertThat(answer.body().get("detail").asText()).contains("bytes/s or more")
          .doesNotContain("UPLOAD_");
      assertThat(system.api().get("/v1/batches").body().get("data")).isEmpty();
    }
  }

  @Test
  void json_submits_go_through_while_streamed_uploads_hold_every_upload_producer() throws Exception {
    try (TestSystem system = new TestSystem("ndjson-pools", Map.of("CHUNK_MAX_ITEMS", "100",
        "SUBMIT_PRODUCERS", "1", "UPLOAD_PRODUCERS", "1", "UPLOAD_MIN_BYTES_PER_SECOND", "0")).withApi();
        Upload upload = new Upload(system.apiPort(), "/v1/batch/predict?model=language-id")) {
      upload.send(0, 150);
      // Its first chunk is on Kafka: the upload holds its producer in an open transaction.
      await().atMost(Duration.ofSeconds(30)).until(() -> requestRecords(system) > 0);

      // Two chunks, so a transaction from the submit pool (a batch of one chunk would need no producer of the pools).
      String inputs = String.join(",", java.util.Collections.nCopies(101, "{\"text\":\"Hallo Welt, wie geht es dir heute?\"}"));
      ApiClient.Answer json = system.api().post("/v1/batch/predict", "{\"model\":\"language-id\",\"inputs\":[" + inputs + "]}");
      assertThat(json.status()).as("%s", json.body()).isEqualTo(202);

      upload.send(150, 200);
      assertThat(upload.finish().status()).isEqualTo(202);
    }
  }

  @Test
  void a_streamed_batch_is_created_and_given_its_deadline_when_its_upload_ends_not_when_it_begins() throws Exception {
    try (TestSystem system = new TestSystem("ndjson-created", Map.of("CHUNK_MAX_ITEMS", "100")).withApi();
        Upload upload = new Upload(system.apiPort(), "/v1/batch/predict?model=language-id&completion_window=1h")) {
      upload.send(0, 150);
      await().atMost(Duration.ofSeconds(30)).until(() -> requestRecords(system) > 0);
      java.time.Instant midway = java.time.Instant.now();
      upload.send(150, 200);
      Answer answer = upload.finish();

      assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
      java.time.Instant created = java.time.Instant.parse(answer.body().get("created").asText());
      assertThat(created).isAfterOrEqualTo(midway);
      assertThat(java.time.Instant.parse(answer.body().get("deadline").asText())).isEqualTo(created.plus(Duration.ofHours(1)));
    }
  }

  /**
   * An NDJSON upload whose lines the test sends when it chooses: plain HTTP/1.1 on a socket, chunked,
   * so each {@link #send} reaches the API at once (an HTTP client library may buffer).
   */
  private static final class Upload implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;

    Upload(int port, String path) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(60_000);
      out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ApiClient.KEY_A
          + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
    }

    /** Lines {@code from} to {@code to} (exclusive) of {@link NdjsonLines#textLine}, as one HTTP chunk. */
    void send(int from, int to) throws IOException {
      StringBuilder lines = new StringBuilder();
      for (int i = from; i < to; i++) {
        lines.append(NdjsonLines.textLine(i, 100)).append('\n');
      }
      byte[] data = lines.toString().getBytes(StandardCharsets.UTF_8);
      out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** Ends the body and reads the answer. */
    Answer finish() throws IOException {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return answer();
    }

    /** The answer, its status and JSON body (the API may answer before the body ends). */
    Answer answer() throws IOException {
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      int status = Integer.parseInt(line(in).split(" ")[1]);
      Map<String, String> headers = new HashMap<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), h.substring(colon + 1).trim());
      }
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      if (headers.containsKey("content-length")) {
        body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
      } else {
        for (int n = Integer.parseInt(line(in), 16); n > 0; n = Integer.parseInt(line(in), 16)) {
          body.write(in.readNBytes(n));
          line(in);
        }
      }
      return new Answer(status, headers.getOrDefault("content-type", ""), ApiClient.JSON.readTree(body.toByteArray()));
    }

    private static String line(java.io.DataInputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private record Answer(int status, String contentType, JsonNode body) {}

  /** The API alone (no worker), chunks of 100 items. */
  private static TestSystem apiOnly(String name) {
    return new TestSystem(name, Map.of("CHUNK_MAX_ITEMS", "100")).withApi();
  }

  /** Records on the request topics: every one written, or (committedOnly) up to the last stable offsets. */
  /** Offsets taken on the request topics, by records and transaction markers alike. */
  private static long requestRecords(TestSystem system) {
    return Stream.of(Priority.values()).mapToLong(p -> TopicReader.endOffsetTotal(system.topics.requests(p).name())).sum();
  }

  /** {@link #requestRecords} once every transaction on them has ended and its marker is written. */
  private static long settledRequestRecords(TestSystem system) {
    return Stream.of(Priority.values())
        .mapToLong(p -> TopicReader.settledEndOffsetTotal(system.topics.requests(p).name())).sum();
  }
}
