package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The native API from Java, blocking or asynchronous ({@code ...Async} returns a CompletableFuture). Every submit
 * carries an Idempotency-Key, the same on each of its attempts, so a retry after a 429, a 503 or a lost connection
 * never makes a second batch; refusals surface as {@link BatchApiException}s. Thread-safe; one per process is enough.
 *
 * <pre>{@code
 * BatchClient api = BatchClient.create("http://127.0.0.1:8080", "dev-key");
 * Batch b = api.submitNdjson(SubmitOptions.model("fashion-mnist"), Upload.of(Path.of("inputs.ndjson")));
 * api.awaitFinal(b.id(), Duration.ofMinutes(10));
 * try (Stream<JsonNode> results = api.results(b.id())) { ... }
 * }</pre>
 */
public final class BatchClient {

  /** Results per page when paging; the API's own maximum. */
  static final int PAGE = 1000;
  static final String NDJSON = "application/x-ndjson";
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final Transport transport;
  private final RetryPolicy retry;

  private final ModelsClient models;
  private final ResultStreams streams;
  private final Appends appends;

  private BatchClient(Transport transport, RetryPolicy retry) {
    this.transport = transport;
    this.retry = retry;
    this.models = new ModelsClient(transport);
    this.streams = new ResultStreams(transport);
    this.appends = new Appends(transport);
  }

  public static BatchClient create(String baseUrl, String apiKey) {
    return create(baseUrl, apiKey, RetryPolicy.DEFAULT);
  }

  public static BatchClient create(String baseUrl, String apiKey, RetryPolicy retry) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    URI base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    return new BatchClient(new Transport(base, apiKey, http, retry, Duration.ofMinutes(10)), retry);
  }

  // ---- submits

  /** Submits {@code inputs} (each as the model takes it, e.g. {@code {"pixels": "<base64>"}}) in one JSON body. */
  public Batch submit(SubmitOptions options, List<?> inputs) {
    return Transport.join(submitAsync(options, inputs));
  }

  public CompletableFuture<Batch> submitAsync(SubmitOptions options, List<?> inputs) {
    ObjectNode body = Transport.JSON.createObjectNode();
    body.put("model", options.model());
    body.set("inputs", Transport.JSON.valueToTree(inputs));
    options.fields().forEach((k, v) -> body.set(k, Transport.JSON.valueToTree(v)));
    byte[] bytes = Transport.write(body);
    return batch(post("v1/batch/predict", "application/json", () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
        UUID.randomUUID().toString()));
  }

  /** Streams NDJSON (one {@code {"input", "custom_id"}} or bare input a line) as one batch; options in the query. */
  public Batch submitNdjson(SubmitOptions options, Upload upload) {
    return Transport.join(submitNdjsonAsync(options, upload));
  }

  public CompletableFuture<Batch> submitNdjsonAsync(SubmitOptions options, Upload upload) {
    return batch(streamed(options, NDJSON, upload));
  }

  /** Streams raw inputs end to end in their wire form (e.g. 784-byte images) as one batch. */
  public Batch submitRaw(SubmitOptions options, Upload upload) {
    return Transport.join(submitRawAsync(options, upload));
  }

  public CompletableFuture<Batch> submitRawAsync(SubmitOptions options, Upload upload) {
    return batch(streamed(options, "application/octet-stream", upload));
  }

  private Transport.Call streamed(SubmitOptions options, String type, Upload upload) {
    Query q = new Query("v1/batch/predict").add("model", options.model());
    options.fields().forEach(q::add);
    return new Transport.Call("POST", q.toString(), type, upload.body(), UUID.randomUUID().toString(),
        "application/json", null);
  }

  // ---- one batch

  public Batch status(String batchId) {
    return Transport.join(statusAsync(batchId));
  }

  public CompletableFuture<Batch> statusAsync(String batchId) {
    return batch(Transport.Call.get(batchPath(batchId, "status")));
  }

  /** Asks the batch to stop; its finished results stay. */
  public Batch cancel(String batchId) {
    control(batchId, "cancel", null);
    return status(batchId);
  }

  /** Cancels the items named by custom id; the batch goes on. The answer says which were cancelled, finished or unknown. */
  public JsonNode cancelItems(String batchId, List<String> customIds) {
    return control(batchId, "cancel", Transport.write(Transport.JSON.createObjectNode()
        .set("custom_ids", Transport.JSON.valueToTree(customIds))), null);
  }

  /** Runs the batch's failed items again as a new batch, and returns that batch. */
  public Batch retry(String batchId) {
    return Batch.of(control(batchId, "retry", UUID.randomUUID().toString()));
  }

  /** Workers stop starting the batch's chunks within a second; others go on, as does its completion window. */
  public PauseAnswer pause(String batchId) {
    return PauseAnswer.of(control(batchId, "pause", null));
  }

  /** Runs a paused batch again: the chunks set aside go back on the queue ({@link PauseAnswer#releasedChunks()}). */
  public PauseAnswer resume(String batchId) {
    return PauseAnswer.of(control(batchId, "resume", null));
  }

  /** Polls the status until the batch has ended, and returns it; {@code onStatus} hears every poll. */
  public Batch awaitFinal(String batchId, Duration timeout, Consumer<Batch> onStatus) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 100;
    while (true) {
      Batch b = status(batchId);
      onStatus.accept(b);
      if (b.isFinal()) {
        return b;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("batch " + batchId + " still " + b.status() + " after " + timeout);
      }
      sleep(Duration.ofMillis(pause));
      pause = Math.min(1_000, pause * 2);
    }
  }

  public Batch awaitFinal(String batchId, Duration timeout) {
    return awaitFinal(batchId, timeout, b -> { });
  }

  /** Completes when the batch has ended, polling without holding a thread. */
  public CompletableFuture<Batch> awaitFinalAsync(String batchId, Duration pollEvery) {
    return statusAsync(batchId).thenCompose(b -> b.isFinal() ? CompletableFuture.completedFuture(b)
        : CompletableFuture.supplyAsync(() -> null,
            CompletableFuture.delayedExecutor(pollEvery.toMillis(), TimeUnit.MILLISECONDS))
            .thenCompose(x -> awaitFinalAsync(batchId, pollEvery)));
  }

  /**
   * Every result line in input order ({@code {"index", "custom_id"?, "result" | "error"}}), fetched a page at a
   * time as the stream is read: memory holds one page, whatever the batch's size.
   */
  public Stream<JsonNode> results(String batchId) {
    ResultPages pages = new ResultPages(offset -> Transport.join(transport.json(Transport.Call.get(
        batchPath(batchId, "results") + "?offset=" + offset + "&limit=" + PAGE))));
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /**
   * Every finished result as the API streams them ({@code Accept: application/x-ndjson}), parsed one line at a
   * time as the stream is read: one request, memory for one line. Close the stream to end the request early.
   */
  public Stream<JsonNode> streamResults(String batchId, boolean merged) {
    return streams.lines(batchPath(batchId, "results"), merged);
  }

  /**
   * Copies every finished result, one JSON line each in input order, to {@code out} as the API streams it
   * ({@code Accept: application/x-ndjson}); {@code merged} puts the answers of retries in their items' places.
   *
   * @return the bytes written
   */
  public long downloadResults(String batchId, boolean merged, OutputStream out, java.util.function.LongConsumer progress) {
    return streams.copy(batchId, batchPath(batchId, "results"), merged, out, progress);
  }

  /**
   * Follows the batch's events on a thread of its own until its final event; {@code lastEventId} (null: from the
   * start) resumes a stream left earlier, and the subscription resumes by itself when a connection ends.
   */
  public EventSubscription events(String batchId, String lastEventId, Consumer<BatchEvent> listener) {
    return new EventSubscription(transport, batchPath(batchId, "events"), lastEventId, listener, retry);
  }

  public JsonNode callbacks(String batchId) {
    return Transport.join(transport.json(Transport.Call.get(batchPath(batchId, "callbacks"))));
  }

  public JsonNode redeliverCallbacks(String batchId) {
    return control(batchId, "callbacks/redeliver", null);
  }

  // ---- lists, models, the system

  /** A page of the tenant's batches, newest first; filters null for none. */
  public BatchPage list(String status, String model, String after, int limit) {
    Query q = new Query("v1/batches").add("limit", limit).add("status", status).add("model", model).add("after", after);
    return BatchPage.of(Transport.join(transport.json(Transport.Call.get(q.toString()))));
  }

  /** Appends to open batches, and their finalize. */
  public Appends appends() {
    return appends;
  }

  /** The models: list, describe, sync predict, shadow reports and (admin) deployment changes. */
  public ModelsClient models() {
    return models;
  }

  /** The API's readiness: true when it answers 200 (Redis reachable). */
  public boolean healthy() {
    try {
      Transport.join(transport.json(Transport.Call.get("health")));
      return true;
    } catch (BatchApiException | UncheckedIOException e) {
      return false;
    }
  }

  /** The work queued per priority, throughput per model version, the wait of 1,000 items per model, the quota. */
  public Capacity capacity() {
    return capacity(null, null, null);
  }

  /** The same, the wait estimated for {@code items} at {@code priority} on {@code model}: null for the defaults. */
  public Capacity capacity(String model, String priority, Long items) {
    Query q = new Query("v1/capacity").add("model", model).add("priority", priority).add("items", items);
    return Capacity.of(Transport.join(transport.json(Transport.Call.get(q.toString()))));
  }

  public JsonNode limits() {
    return Transport.join(transport.json(Transport.Call.get("v1/limits")));
  }

  public JsonNode system() {
    return Transport.join(transport.json(Transport.Call.get("v1/system")));
  }

  // ----

  /** A POST to one of the batch's routes (cancel, retry, pause, resume, ...), by default of {@code {}}; its answer. */
  private JsonNode control(String batchId, String action, String idempotencyKey) {
    return control(batchId, action, EMPTY, idempotencyKey);
  }

  private JsonNode control(String batchId, String action, byte[] body, String idempotencyKey) {
    return Transport.join(transport.json(post(batchPath(batchId, action), "application/json",
        () -> HttpRequest.BodyPublishers.ofByteArray(body), idempotencyKey)));
  }

  private CompletableFuture<Batch> batch(Transport.Call call) {
    return transport.json(call).thenApply(Batch::of);
  }

  static Transport.Call post(String path, String type, java.util.function.Supplier<HttpRequest.BodyPublisher> body,
      String idempotencyKey) {
    return new Transport.Call("POST", path, type, body::get, idempotencyKey, "application/json", null);
  }

  private static String batchPath(String batchId, String what) {
    return "v1/batch/" + encode(batchId) + "/" + what;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
