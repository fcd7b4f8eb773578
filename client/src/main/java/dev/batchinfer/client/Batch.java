package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A batch as its status reads: state, model version, counts, whether it is paused and its pauses and resumes
 * ({@code history}, oldest first). {@link #raw()} holds every field the API sent (times, queue position, estimated
 * completion, links).
 */
public record Batch(String id, String status, String model, String modelVersion, long total, long completed,
    long failed, long cancelled, boolean paused, List<Change> history, JsonNode raw) {

  private static final Set<String> FINAL = Set.of("completed", "completed_with_errors", "failed", "cancelled", "expired");

  /** One pause or resume: {@code change} is {@code "paused"} or {@code "resumed"}. */
  public record Change(String change, Instant at) {}

  static Batch of(JsonNode n) {
    JsonNode p = n.path("progress");
    return new Batch(n.path("batch_id").asText(), n.path("status").asText(), n.path("model").asText(null),
        n.path("model_version").asText(null), p.path("total").asLong(n.path("total").asLong()),
        p.path("completed").asLong(), p.path("failed").asLong(), p.path("cancelled").asLong(),
        n.path("paused").asBoolean(), Parse.list(n.path("history"),
            c -> new Change(c.path("change").asText(), Parse.instant(c.path("at")))), n);
  }

  /** Whether it has ended (completed, completed with errors, failed, cancelled or expired). */
  public boolean isFinal() {
    return FINAL.contains(status);
  }
}
