package dev.batchinfer.api.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.models.Deployment;
import dev.batchinfer.models.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a model looks to clients: its versions with their stages, schemas, limits and metrics. */
final class ModelView {

  private final ObjectMapper json;
  private final Map<Path, JsonNode> evaluations = new java.util.concurrent.ConcurrentHashMap<>();

  ModelView(ObjectMapper json) {
    this.json = json;
  }

  Map<String, Object> model(String id, List<ModelConfig> versions, Deployment d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("production_version", d.production());
    List<Map<String, Object>> vs = new ArrayList<>();
    for (ModelConfig c : versions) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("version", c.version());
      v.put("stage", d.stageOf(c.version()).orElse("available"));
      v.put("traffic", c.version().equals(d.production()) ? 1.0 - (d.canary() == null ? 0 : d.canary().traffic())
          : d.canary() != null && d.canary().version().equals(c.version()) ? d.canary().traffic() : 0.0);
      v.put("description", c.description());
      v.put("created", created(c.directory()));
      v.put("input", c.input());
      v.put("output", Map.of("name", c.output().name(), "labels", c.output().labels(), "top_k", c.output().topK()));
      v.put("max_batch_size", c.batching().maxBatchSize());
      v.put("metadata", c.metadata());
      v.put("evaluation", evaluation(c.directory()));
      vs.add(v);
    }
    m.put("versions", vs);
    m.put("history", d.history());
    return m;
  }

  /** The headline numbers of evaluation_report.json (the full report stays in the artifact). */
  private Object evaluation(Path dir) {
    JsonNode report = evaluations.computeIfAbsent(dir, this::readReport);
    if (report == null) {
      return null;
    }
    Map<String, Object> e = new LinkedHashMap<>();
    report.fields().forEachRemaining(f -> {
      if (f.getValue().isValueNode()) {
        e.put(f.getKey(), f.getValue());
      }
    });
    return e;
  }

  private JsonNode readReport(Path dir) {
    try {
      Path file = dir.resolve("evaluation_report.json");
      return Files.exists(file) ? json.readTree(file.toFile()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String created(Path dir) {
    try {
      return Files.getLastModifiedTime(dir.resolve("saved_model.pb")).toInstant().toString();
    } catch (IOException e) {
      return null;
    }
  }
}
