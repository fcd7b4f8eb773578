package dev.batchinfer.api.limits;

import dev.batchinfer.api.ApiSettings;
import dev.batchinfer.api.submit.NdjsonReader;
import dev.batchinfer.models.ModelCatalog;
import java.util.Map;

/** {@code GET /v1/limits}: every limit a client can hit, so none is a surprise. */
public final class PublishedLimits {

  private PublishedLimits() {}

  public static Map<String, Object> of(ApiSettings s, ModelCatalog catalog) {
    Map<String, Object> items = new java.util.TreeMap<>();
    for (String model : catalog.modelIds()) {
      for (var c : catalog.versions(model)) {
        int fixed = c.input().payloadBytes();
        items.put(c.id(), fixed >= 0 ? Map.of("item_bytes", fixed) : Map.of("item_max_bytes", c.input().maxBytes()));
      }
    }
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("max_request_bytes", s.limits().maxRequestBytes());
    m.put("max_batch_items", s.limits().maxBatchItems());
    m.put("max_ndjson_items", s.uploads().maxNdjsonItems());
    m.put("body_memory_bytes", s.limits().bodyMemoryBytes());
    m.put("upload_timeout_ms", s.uploads().timeout().toMillis());
    m.put("upload_min_bytes_per_second", s.uploads().minBytesPerSecond());
    m.put("upload_rate_window_ms", s.uploads().rateWindow().toMillis());
    m.put("custom_id_max_chars", NdjsonReader.MAX_CUSTOM_ID_CHARS);
    m.put("chunk_max_items", s.limits().chunkMaxItems());
    m.put("chunk_max_bytes", s.limits().chunkMaxBytes());
    m.put("sync_max_items", s.sync().maxItems());
    m.put("sync_timeout_ms", s.sync().timeout().toMillis());
    m.put("submit_timeout_ms", s.kafka().submitTimeout().toMillis());
    m.put("idempotency_key_max_chars", 255);
    m.put("idempotency_window_hours", 24);
    m.put("per_tenant", s.tenantLimits().describe());
    m.put("models", items);
    return m;
  }
}
