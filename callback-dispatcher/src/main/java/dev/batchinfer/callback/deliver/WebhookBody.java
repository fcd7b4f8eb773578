package dev.batchinfer.callback.deliver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.callback.DispatcherException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.topics.message.BatchEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The webhook body, in the Standard Webhooks shape {@code {type, timestamp, data}}. Small by
 * design: ids, status, counts, times and links to the results, never the results themselves.
 */
public final class WebhookBody {

  private final ObjectMapper json;
  private final String baseUrl;

  public WebhookBody(ObjectMapper json, String baseUrl) {
    this.json = json;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  public String render(BatchEvent event, BatchRecord batch) {
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("completed", event.completed());
    progress.put("failed", event.failed());
    progress.put("total", event.total());
    Map<String, Object> links = new LinkedHashMap<>();
    links.put("status", baseUrl + "/v1/batch/" + event.batchId() + "/status");
    links.put("results", baseUrl + "/v1/batch/" + event.batchId() + "/results");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("batch_id", event.batchId());
    data.put("status", event.status());
    data.put("model", batch.model());
    data.put("model_version", batch.modelVersion());
    data.put("progress", progress);
    data.put("created", batch.created().toString());
    data.put("completed_at", Instant.ofEpochMilli(event.occurredAtMs()).toString());
    data.put("metadata", batch.metadataJson() == null ? null : readTree(batch.metadataJson()));
    data.put("links", links);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", event.type());
    body.put("timestamp", Instant.ofEpochMilli(event.occurredAtMs()).toString());
    body.put("data", data);
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new DispatcherException("cannot render webhook body", e);
    }
  }

  private Object readTree(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
