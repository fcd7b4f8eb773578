package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;
import java.util.Map;

/**
 * One model version as described by its {@code config.yaml}, plus the folder it lives in.
 *
 * @param signature the SavedModel signature to call
 * @param metadata free-form facts about the model (e.g. supported_languages)
 * @param directory where the file was found; not part of the file ({@link ModelConfigYaml})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(
    String model,
    String version,
    String description,
    String signature,
    InputSpec input,
    OutputSpec output,
    Batching batching,
    Map<String, Object> metadata,
    @JsonIgnore Path directory) {

  public ModelConfig withDirectory(Path dir) {
    return new ModelConfig(model, version, description, signature, input, output, batching,
        metadata == null ? Map.of() : metadata, dir);
  }

  /** "fashion-mnist@1.0.0", for logs and errors. */
  public String id() {
    return model + "@" + version;
  }

  void validate() {
    require(model != null && !model.isBlank(), "model");
    require(version != null && SemVer.parse(version).isPresent(), "version (semver such as 1.0.0)");
    require(signature != null, "signature");
    require(input != null, "input");
    input.validate(id());
    require(output != null && output.labels() != null && !output.labels().isEmpty(), "output.labels");
    require(output.topK() >= 1, "output.top_k (>= 1)");
    require(batching != null, "batching");
    batching.validate(id(), input);
  }

  private void require(boolean ok, String field) {
    if (!ok) {
      throw new ModelCatalogException("config.yaml of " + (model + "@" + version) + " needs a valid " + field);
    }
  }
}
