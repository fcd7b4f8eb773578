package dev.batchinfer.api.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.store.batch.BatchQueue;
import dev.batchinfer.store.model.WorkerStatus;
import dev.batchinfer.topics.message.Priority;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/system}: what the dashboard shows of the system as a whole: unfinished batches by
 * priority (all tenants, counts only) and every live worker's last report (what it serves, its
 * totals, its lag by priority). No tenant's batch ids are in it.
 */
public final class SystemView {

  /** A worker that has not reported for this long (heartbeats come every 2 s) is left out. */
  static final long FRESH_MS = 15_000;

  private final BatchQueue queue;
  private final WorkerStatus workers;
  private final ObjectMapper json;

  public SystemView(BatchQueue queue, WorkerStatus workers, ObjectMapper json) {
    this.queue = queue;
    this.workers = workers;
    this.json = json;
  }

  public void get(Context ctx) {
    Map<String, Object> queues = new LinkedHashMap<>();
    for (Priority p : Priority.values()) {
      queues.put(p.wire(), Map.of("batches", queue.depth(p)));
    }
    List<JsonNode> live = workers.fresh(System.currentTimeMillis(), FRESH_MS, this::read, r -> r.path("at").asLong());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("queues", queues);
    body.put("workers", live);
    ctx.json(body);
  }

  private JsonNode read(String report) {
    try {
      return json.readTree(report);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return json.createObjectNode();
    }
  }
}
