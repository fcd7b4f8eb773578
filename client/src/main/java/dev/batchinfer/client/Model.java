package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A model as {@code GET /v1/models} describes it: its production version and every version it has. */
public record Model(String id, String productionVersion, List<String> versions, JsonNode raw) {

  static Model of(JsonNode n) {
    List<String> versions = new ArrayList<>();
    n.path("versions").forEach(v -> versions.add(v.path("version").asText()));
    return new Model(n.path("id").asText(), n.path("production_version").asText(null), List.copyOf(versions), n);
  }
}
