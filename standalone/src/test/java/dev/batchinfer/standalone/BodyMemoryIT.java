package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Bodies read whole (JSON, small raw ones) take room in the API's body memory before they are read:
 * many at once wait their turn instead of taking the heap, and one that finds no room in time gets a
 * 503 and leaves nothing behind.
 */
class BodyMemoryIT {

  private static final int API_HEAP_MB = 128;
  private static final int SUBMITS = 8;
  private static final int IMAGES = 20_000;

  @Test
  void json_bodies_that_together_exceed_the_heap_are_all_accepted_in_turn() throws Exception {
    byte[] body = imagesJson(IMAGES);
    // Eight bodies of 21 MB each: together 1.3 times the API's heap; its default body memory (a
    // third of the heap) holds two at once. A 45 s SUBMIT_TIMEOUT, so the last in line (three turns
    // behind, about 2 s here) does not give up on a slow machine: waiting is what is tested, not speed.
    assertThat((long) body.length * SUBMITS).isGreaterThan(API_HEAP_MB * 1024L * 1024);
    try (TestSystem system = new TestSystem("body-memory", Map.of());
        ApiJvm api = ApiJvm.start(system, API_HEAP_MB, Map.of("SUBMIT_TIMEOUT", "45s"))) {
      ApiClient client = api.client();
      ExecutorService pool = Executors.newFixedThreadPool(SUBMITS);
      try {
        List<Future<ApiClient.Answer>> answers = new ArrayList<>();
        for (int i = 0; i < SUBMITS; i++) {
          answers.add(pool.submit(() -> client.exchange("/v1/batch/predict", r -> r
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)))));
        }
        for (Future<ApiClient.Answer> f : answers) {
          ApiClient.Answer a = f.get();
          assertThat(a.status()).as("%s", a.body()).isEqualTo(202);
          assertThat(a.body().at("/progress/total").asLong()).isEqualTo(IMAGES);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(api.alive()).isTrue();
      assertThat(api.output()).doesNotContain("OutOfMemoryError");
      System.out.printf("%d JSON bodies of %d bytes at once: all accepted by an API with -Xmx%dm; heap at a GC / "
          + "after a full GC at most %s MB%n", SUBMITS, body.length, API_HEAP_MB, api.peakHeapMb());
    }
  }

  @Test
  void a_body_that_finds_no_room_in_time_is_503_a_replay_needs_none_and_room_comes_back_when_a_held_body_fails()
      throws Exception {
    // 1 MB of body memory: a stalled body of 900,000 bytes leaves too little for one of 300,000.
    try (TestSystem system = new TestSystem("body-memory-wait", Map.of("BODY_MEMORY_MB", "1", "SUBMIT_TIMEOUT", "2s"))
        .withApi()) {
      ApiClient client = system.api();
      String images = new String(imagesJson(280), StandardCharsets.UTF_8); // about 300,000 bytes
      List<ApiClient.Answer> answers = new ArrayList<>();
      // One accepted first, so the API's Kafka producers are up: a first commit can take seconds,
      // and a submit holding its room that long would have the stalled body refused instead.
      answers.add(client.postWithHeader("/v1/batch/predict", images, "Idempotency-Key", "first"));
      assertThat(answers.get(0).status()).isEqualTo(202);
      try (Socket stalled = new Socket("127.0.0.1", system.apiPort())) {
        OutputStream out = stalled.getOutputStream();
        out.write(("POST /v1/batch/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ApiClient.KEY_A
            + "\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n"
            + "{\"model\":\"fashion-mnist\",\"inputs\":[").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // A submit that came before the stalled body took its room is accepted, and gives the room
        // back; once the stalled body holds its room, the next one waits 2 s and is refused.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          answers.add(client.post("/v1/batch/predict", images));
          return answers.get(answers.size() - 1).status() != 202;
        });
        ApiClient.Answer refused = answers.get(answers.size() - 1);
        assertThat(refused.status()).as("%s", refused.body()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().get("detail").asText()).contains("request bodies in memory").contains("NDJSON")
            .doesNotContain("BODY_MEMORY_MB");
        assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
        // A repeat of an accepted submit only hashes its body: it needs no room and gets its answer.
        ApiClient.Answer replayed = client.postWithHeader("/v1/batch/predict", images, "Idempotency-Key", "first");
        assertThat(replayed.status()).isEqualTo(202);
        assertThat(replayed.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
      }
      // The stalled body's client went away: its request fails, and its room is given back.
      await().atMost(Duration.ofSeconds(30)).until(() -> client.post("/v1/batch/predict", images).status() == 202);
      // Nothing of the refused submit or the stalled one was recorded: only the accepted ones are listed.
      assertThat(client.get("/v1/batches").body().get("data")).hasSize(answers.size());
    }
  }

  /** A fashion-mnist batch of {@code n} base64 images (about 1,060 bytes each). */
  private static byte[] imagesJson(int n) {
    byte[] pixels = new byte[784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    String image = "{\"pixels\":\"" + Base64.getEncoder().encodeToString(pixels) + "\"}";
    StringBuilder b = new StringBuilder("{\"model\":\"fashion-mnist\",\"inputs\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append(image);
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
