package dev.batchinfer.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** One read of {@code GET /v1/batch/{id}/status}, with the fields tests ask about by name. */
public record BatchSnapshot(String id, JsonNode body) {

  private static final Set<String> FINAL = Set.of("completed", "completed_with_errors", "failed", "cancelled", "expired");

  public String status() {
    return body.path("status").asText();
  }

  public boolean isFinal() {
    return FINAL.contains(status());
  }

  public long completed() {
    return body.at("/progress/completed").asLong();
  }

  public long failed() {
    return body.at("/progress/failed").asLong();
  }

  public long total() {
    return body.at("/progress/total").asLong();
  }
}
