package dev.batchinfer.api.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.store.batch.BatchRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a batch looks to clients: the 202 answer and the status document share one shape. */
public final class BatchView {

  private final ObjectMapper json;
  private final EtaEstimator eta;
  private final String baseUrl;

  public BatchView(ObjectMapper json, String baseUrl, EtaEstimator eta) {
    this.json = json;
    this.eta = eta;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  public String statusPath(String batchId) {
    return "/v1/batch/" + batchId + "/status";
  }

  /** Where a batch of {@code items} with these options would stand if it were queued now (dry runs). */
  public EtaEstimator.Estimate estimate(String tenant, String batchId, dev.batchinfer.api.submit.BatchOptions options,
      long items) {
    Instant now = Instant.now();
    return eta.estimate(BatchRecord.queued(batchId, tenant, options.model().model(), options.model().version(),
        options.priority(), items, new long[] {0}, null, java.util.List.of(), null, now, now, now, java.time.Duration.ZERO));
  }

  /** The 202's body: the status of a batch just accepted, at the queue position it was recorded with. */
  /**
   * The 202 body of a batch whose chunks are committed. It must not fail now: a client answered with
   * an error would submit again and run the batch twice. So if Redis cannot give a fresh estimate,
   * the answer carries the position and completion estimated at acceptance.
   */
  public Map<String, Object> accepted(dev.batchinfer.api.submit.BatchAcceptor.Accepted a) {
    return describe(a.record(), () -> {
      try {
        return eta.estimate(a.record(), a.queuePosition());
      } catch (io.lettuce.core.RedisException e) {
        return new EtaEstimator.Estimate(a.queuePosition(), -1, a.record().estimatedCompletion(), 0);
      }
    });
  }

  public Map<String, Object> status(BatchRecord r) {
    return describe(r, () -> eta.estimate(r));
  }

  private Map<String, Object> describe(BatchRecord r, java.util.function.Supplier<EtaEstimator.Estimate> estimate) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("batch_id", r.batchId());
    body.put("status", r.status().wire());
    body.put("model", r.model());
    body.put("model_version", r.modelVersion());
    body.put("priority", r.priority().wire());
    if (r.steering().open()) {
      body.put("open", true);
    }
    // The flag workers act on, so a pause shows at once; the history is the topology's, in order with the chunks.
    body.put("paused", !r.status().isFinal() && r.steering().pauseRequested());
    body.put("history", storedJson(r.steering().historyJson(), "history"));
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("completed", r.completed());
    progress.put("failed", r.failed());
    progress.put("cancelled", r.cancelled());
    progress.put("total", r.total()); // an open batch's: what its appends hold so far
    if (r.steering().open()) {
      progress.put("finalized", r.steering().finalized());
    }
    if (r.steering().expiredItems() >= 0) {
      progress.put("expired", r.steering().expiredItems());
    }
    if (r.steering().answeredAfterDeadline() >= 0) {
      progress.put("after_deadline", r.steering().answeredAfterDeadline());
    }
    body.put("progress", progress);
    body.put("created", text(r.created()));
    body.put("started_at", text(r.startedAt()));
    body.put("completed_at", text(r.completedAt()));
    if (r.status().isFinal()) {
      body.put("estimated_completion", text(r.completedAt()));
    } else {
      EtaEstimator.Estimate e = estimate.get();
      body.put("estimated_completion", text(e.completion()));
      body.put("queue_position", e.position());
    }
    body.put("deadline", text(r.deadline()));
    body.put("on_deadline", r.steering().runPastDeadline() ? "run" : "expire");
    if (r.steering().expiredReason() != null) {
      body.put("expired_reason", r.steering().expiredReason());
    }
    body.put("callback_url", r.callbackUrl());
    body.put("metadata", storedJson(r.metadataJson(), "metadata"));
    if (r.parentBatchId() != null) {
      body.put("parent_batch_id", r.parentBatchId());
    }
    if (!r.childBatchIds().isEmpty()) {
      body.put("retries", r.childBatchIds());
    }
    Map<String, String> links = new LinkedHashMap<>();
    links.put("status", baseUrl + statusPath(r.batchId()));
    links.put("results", baseUrl + "/v1/batch/" + r.batchId() + "/results");
    if (r.countsOpen()) {
      links.put("items", baseUrl + "/v1/batch/" + r.batchId() + "/items");
      links.put("finalize", baseUrl + "/v1/batch/" + r.batchId() + "/finalize");
    }
    body.put("links", links);
    return body;
  }

  private JsonNode storedJson(String text, String what) {
    if (text == null) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored " + what + " is not JSON", e);
    }
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
