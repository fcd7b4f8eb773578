package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.message.BatchStatus;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/batch/{id}/cancel}: the batch becomes {@code cancelling}; workers skip its
 * remaining chunks (their items are answered {@code cancelled}); finished results stay; when every
 * chunk is accounted for the batch is {@code cancelled} and one {@code batch.cancelled} event goes
 * out. The request goes through the progress topic, so the topology orders it with the chunks.
 */
public final class CancelHandler {

  private final BatchStores store;
  private final BatchControl control;
  private final Duration timeout;
  private final Finalizer finalizer;

  public CancelHandler(BatchStores store, BatchControl control, Duration timeout, Finalizer finalizer) {
    this.store = store;
    this.control = control;
    this.timeout = timeout;
    this.finalizer = finalizer;
  }

  /** Custom ids one cancel request may name. */
  static final int MAX_CUSTOM_IDS = 10_000;

  public void cancel(Context ctx) throws Exception {
    String id = ctx.pathParam("id");
    BatchRecord batch = Batches.require(store, Authenticator.principal(ctx).tenant(), id);
    if (batch.status().isFinal()) {
      throw new ApiException(409, "already-final", "Batch already finished",
          "batch " + id + " is already " + batch.status().wire() + "; its results stay readable", null, null);
    }
    List<String> customIds = customIds(ctx.body());
    if (customIds != null) {
      ctx.status(202).json(cancelItems(batch, customIds));
      return;
    }
    cancelWhole(batch);
    ctx.status(202).json(Map.of("batch_id", id, "status", BatchStatus.CANCELLING.wire()));
  }

  /** Cancels every remaining item of an unfinished batch (idempotent); the native and OpenAI routes share it. */
  public void cancelWhole(BatchRecord batch) throws InterruptedException {
    if (batch.countsOpen()) {
      // An open batch is sealed as it stands, after the cancel event: it can then end, cancelled.
      finalizer.seal(batch, "cancel", b -> control.cancel(b, System.currentTimeMillis()));
      return;
    }
    // Without the event the batch would end as if it ran to completion with cancelled items.
    ControlRequests.awaitQueued(control.cancel(batch, System.currentTimeMillis()), timeout, "cancel");
  }

  /**
   * The body's {"custom_ids": [...]}, or null to cancel the whole batch: no body, {@code {}} or
   * {@code null} (clients that always send a JSON body send one of those).
   */
  static List<String> customIds(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw ApiException.invalid("", "the body is not valid JSON: send {\"custom_ids\": [...]}, or nothing to cancel "
          + "the whole batch");
    }
    if (node.isNull() || node.isObject() && node.isEmpty()) {
      return null;
    }
    if (!node.isObject() || node.size() != 1 || !node.path("custom_ids").isArray()) {
      throw ApiException.invalid("/custom_ids", "the body takes only \"custom_ids\": an array of the items' custom ids "
          + "(send no body to cancel the whole batch)");
    }
    com.fasterxml.jackson.databind.JsonNode ids = node.get("custom_ids");
    if (ids.isEmpty() || ids.size() > MAX_CUSTOM_IDS) {
      throw ApiException.invalid("/custom_ids", "\"custom_ids\" must name 1 to " + MAX_CUSTOM_IDS + " items");
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      if (!ids.get(i).isTextual()) {
        throw ApiException.invalid("/custom_ids/" + i, "every custom id is a string");
      }
      out.add(ids.get(i).textValue());
    }
    return List.copyOf(out);
  }

  /**
   * Cancels the named items not answered yet: workers answer them {@code cancelled} when they read
   * their chunk, or when the chunk leaves their queue for the model. A chunk already at the model (or
   * taken within about a second, while a worker still holds the batch's previous state) runs as it
   * is: its result lines and the batch's counts say which items ran. The batch goes on and ends as usual.
   */
  private Map<String, Object> cancelItems(BatchRecord batch, List<String> customIds) {
    List<Long> indexes = store.customIds().itemsOf(batch.batchId(), customIds);
    java.util.Set<Integer> chunks = new java.util.HashSet<>();
    for (Long index : indexes) {
      if (index != null) {
        chunks.add(batch.chunkOf(index));
      }
    }
    Map<Integer, Boolean> answered = store.results().answered(batch.batchId(), chunks);
    List<String> cancelling = new ArrayList<>();
    List<String> finished = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    List<Long> toCancel = new ArrayList<>();
    for (int i = 0; i < customIds.size(); i++) {
      Long index = indexes.get(i);
      if (index == null) {
        unknown.add(customIds.get(i));
      } else if (answered.get(batch.chunkOf(index))) {
        finished.add(customIds.get(i));
      } else {
        cancelling.add(customIds.get(i));
        toCancel.add(index);
      }
    }
    store.flags().cancelItems(batch.batchId(), toCancel);
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("batch_id", batch.batchId());
    out.put("status", batch.status().wire());
    out.put("cancel_requested", cancelling);
    out.put("already_finished", finished);
    out.put("unknown", unknown);
    return out;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
