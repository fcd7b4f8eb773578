package dev.batchinfer.api.callbacks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.webhook.Delivery;
import dev.batchinfer.store.webhook.DeliveryStatus;
import dev.batchinfer.store.webhook.WebhookStore;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A batch's webhooks: every delivery and attempt, and sending them again with the same ids. */
public final class CallbackHandlers {

  private final BatchStores batches;
  private final WebhookStore webhooks;
  private final ObjectMapper json;

  public CallbackHandlers(BatchStores batches, WebhookStore webhooks, ObjectMapper json) {
    this.batches = batches;
    this.webhooks = webhooks;
    this.json = json;
  }

  /** {@code GET /v1/batch/{id}/callbacks} */
  public void list(Context ctx) {
    BatchRecord batch = find(ctx);
    List<Map<String, Object>> deliveries = new ArrayList<>();
    for (Delivery d : webhooks.deliveries(batch.batchId())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("webhook_id", d.eventId());
      m.put("type", d.type());
      m.put("url", d.url());
      m.put("status", d.status().wire());
      m.put("attempts", d.attempts());
      m.put("next_attempt_at", d.nextAttemptAtMs() > 0 && d.status() == DeliveryStatus.PENDING
          ? Instant.ofEpochMilli(d.nextAttemptAtMs()).toString() : null);
      m.put("last_result", d.lastResult());
      deliveries.add(m);
    }
    List<JsonNode> attempts = new ArrayList<>();
    for (String a : webhooks.attempts(batch.batchId())) {
      try {
        attempts.add(json.readTree(a));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("stored attempt is not JSON", e);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("batch_id", batch.batchId());
    body.put("callback_url", batch.callbackUrl());
    body.put("deliveries", deliveries);
    body.put("attempts", attempts);
    ctx.json(body);
  }

  /** {@code POST /v1/batch/{id}/callbacks/redeliver}: every delivery again, same webhook-id. */
  public void redeliver(Context ctx) {
    BatchRecord batch = find(ctx);
    int n = webhooks.redeliver(batch.batchId(), System.currentTimeMillis());
    if (n == 0) {
      throw new ApiException(409, "nothing-to-redeliver", "Nothing to redeliver",
          "batch " + batch.batchId() + " has no webhook yet (it is not finished, or it has no callback_url)", null, null);
    }
    ctx.status(202).json(Map.of("batch_id", batch.batchId(), "redelivering", n));
  }

  private BatchRecord find(Context ctx) {
    String id = ctx.pathParam("id");
    return Batches.require(batches, Authenticator.principal(ctx).tenant(), id);
  }
}
