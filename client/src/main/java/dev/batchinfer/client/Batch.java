package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A batch as its status reads: state, model version and counts. {@link #raw()} holds every field the API sent
 * (times, queue position, estimated completion, links).
 */
public record Batch(String id, String status, String model, String modelVersion, long total, long completed,
    long failed, long cancelled, JsonNode raw) {

  private static final Set<String> FINAL = Set.of("completed", "completed_with_errors", "failed", "cancelled", "expired");

  static Batch of(JsonNode n) {
    JsonNode p = n.path("progress");
    return new Batch(n.path("batch_id").asText(), n.path("status").asText(), n.path("model").asText(null),
        n.path("model_version").asText(null), p.path("total").asLong(n.path("total").asLong()),
        p.path("completed").asLong(), p.path("failed").asLong(), p.path("cancelled").asLong(), n);
  }

  /** Whether it has ended (completed, completed with errors, failed, cancelled or expired). */
  public boolean isFinal() {
    return FINAL.contains(status);
  }
}
