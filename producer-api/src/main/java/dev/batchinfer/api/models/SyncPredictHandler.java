package dev.batchinfer.api.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.api.submit.BatchAcceptor;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.Chunker;
import dev.batchinfer.api.submit.ParsedBatch;
import dev.batchinfer.api.submit.RequestBodies;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.ResultLines;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.topics.message.Priority;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/models/{id}/predict}: a few inputs answered in the response. It goes through the
 * same queue as batches, at the highest priority, so it needs no separate serving path and obeys
 * the same version pinning; it just waits for its batch to finish.
 */
public final class SyncPredictHandler {

  /** How often the wait looks at the batch; small, since sync requests are small and urgent. */
  private static final long POLL_MS = 5;
  /** A worker that reported within this long counts as serving the version. */
  static final long WORKER_FRESH_MS = 10_000;

  private final BatchRequestReader reader;
  private final ModelRouter router;
  private final BatchAcceptor acceptor;
  private final BatchStores store;
  private final ModelTelemetry telemetry;
  private final RequestBodies bodies;
  private final ObjectMapper json;
  private final int maxItems;
  private final Duration timeout;

  public SyncPredictHandler(BatchRequestReader reader, RequestBodies bodies, ModelRouter router, BatchAcceptor acceptor,
      BatchStores store, ModelTelemetry telemetry, ObjectMapper json, int maxItems, Duration timeout) {
    this.reader = reader;
    this.bodies = bodies;
    this.router = router;
    this.acceptor = acceptor;
    this.store = store;
    this.telemetry = telemetry;
    this.json = json;
    this.maxItems = maxItems;
    this.timeout = timeout;
  }

  public void handle(Context ctx) throws Exception {
    String batchId = UUID.randomUUID().toString();
    ModelConfig model = router.select(ctx.pathParam("id"), ctx.header(ModelRouter.VERSION_HEADER), batchId, "model_id");
    if (!telemetry.served(model.model(), model.version(), System.currentTimeMillis(), WORKER_FRESH_MS)) {
      throw new RetriableApiException("no worker serves " + model.id() + " right now; nothing was queued",
          Duration.ofSeconds(5));
    }
    BatchRecord accepted;
    long inputBytes;
    // The inputs are held until the batch is accepted, no longer: room for the body until then.
    try (RequestBodies.Body body = bodies.whole(ctx)) {
      ParsedBatch parsed = reader.readInputsFor(body.stream(), model);
      if (parsed.totalItems() > maxItems) {
        throw ApiException.tooLarge("/inputs", "sync predict takes at most " + maxItems
            + " inputs; send larger sets to /v1/batch/predict");
      }
      ParsedBatch urgent = new ParsedBatch(parsed.model(), Priority.HIGH, null, List.of(), null,
          timeout.multipliedBy(10), null, false, parsed.totalItems(), parsed.chunks(), false);
      accepted = acceptor.accept(batchId, Authenticator.principal(ctx).tenant(), urgent).record();
      inputBytes = urgent.chunks().stream().mapToLong(Chunker.ChunkItems::inputBytes).sum();
    }
    BatchRecord done = awaitFinal(batchId, accepted);
    List<Map<String, Object>> results = new ArrayList<>();
    for (String line : ResultLines.inRange(store.results().read(batchId, 0, done.chunkCount()), 0, done.total())) {
      JsonNode item = json.readTree(line);
      Map<String, Object> r = new LinkedHashMap<>();
      if (item.has("result")) {
        r.put("label", item.at("/result/label").asText());
        r.put("score", item.at("/result/score").floatValue());
      } else {
        r.put("error", item.get("error"));
      }
      results.add(r);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", batchId);
    body.put("model", model.model());
    body.put("model_version", model.version());
    body.put("created", accepted.created().toString());
    body.put("results", results);
    body.put("usage", Map.of("items", accepted.total(), "input_bytes", inputBytes));
    ctx.json(body);
  }

  private BatchRecord awaitFinal(String batchId, BatchRecord accepted) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      BatchRecord r = store.records().find(batchId).orElse(accepted);
      if (r.status().isFinal()) {
        return r;
      }
      Thread.sleep(POLL_MS);
    }
    throw new ApiException(504, "timeout", "Prediction timed out", "not finished within " + timeout.toMillis()
        + " ms; it goes on as batch " + batchId + ": GET /v1/batch/" + batchId + "/results",
        null, null);
  }
}
