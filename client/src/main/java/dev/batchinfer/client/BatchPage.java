package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** One page of {@code GET /v1/batches}, newest first; {@code nextAfter} is the cursor of the next, null at the end. */
public record BatchPage(List<Batch> batches, String nextAfter) {

  static BatchPage of(JsonNode n) {
    List<Batch> out = new ArrayList<>();
    n.path("data").forEach(b -> out.add(Batch.of(b)));
    return new BatchPage(List.copyOf(out), n.path("next_after").isNull() ? null : n.path("next_after").asText(null));
  }
}
