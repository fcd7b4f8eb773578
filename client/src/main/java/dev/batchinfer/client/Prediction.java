package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A sync predict's answer: one result per input, in order ({@code {"label", "score"}} or {@code {"error"}}). */
public record Prediction(String id, String model, String modelVersion, List<JsonNode> results, JsonNode raw) {

  static Prediction of(JsonNode n) {
    List<JsonNode> results = new ArrayList<>();
    n.path("results").forEach(results::add);
    return new Prediction(n.path("id").asText(), n.path("model").asText(), n.path("model_version").asText(),
        List.copyOf(results), n);
  }
}
