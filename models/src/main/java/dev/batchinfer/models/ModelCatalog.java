package dev.batchinfer.models;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The model versions under {@code model-artifacts/<model>/<semver>/config.yaml}, and which version
 * serves a model id by default: the {@code production} version in {@code registry.yaml}, else the
 * newest.
 */
public final class ModelCatalog {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path root;
  private final Map<String, List<ModelConfig>> versionsByModel; // newest first
  private final Map<String, String> production;

  private ModelCatalog(Path root, Map<String, List<ModelConfig>> versionsByModel, Map<String, String> production) {
    this.root = root;
    this.versionsByModel = versionsByModel;
    this.production = production;
  }

  /** Reads every config under {@code root}; fails with a message naming the bad file. */
  public static ModelCatalog load(Path root) {
    if (!Files.isDirectory(root)) {
      throw new ModelCatalogException("model artifacts folder " + root.toAbsolutePath()
          + " does not exist: set MODEL_ARTIFACTS to the folder that holds <model>/<version>/config.yaml");
    }
    Map<String, List<ModelConfig>> byModel = new TreeMap<>();
    try (Stream<Path> configs = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("config.yaml"))) {
      for (Path file : configs.toList()) {
        ModelConfig config = read(file);
        byModel.computeIfAbsent(config.model(), m -> new ArrayList<>()).add(config);
      }
    } catch (IOException e) {
      throw new ModelCatalogException("cannot read model artifacts under " + root, e);
    }
    Comparator<ModelConfig> newestFirst =
        Comparator.comparing((ModelConfig c) -> SemVer.parse(c.version()).orElseThrow()).reversed();
    byModel.values().forEach(list -> list.sort(newestFirst));
    Map<String, String> production = readProduction(root.resolve("registry.yaml"));
    production.forEach((model, version) -> {
      boolean present = byModel.getOrDefault(model, List.of()).stream().anyMatch(c -> c.version().equals(version));
      if (!present) {
        throw new ModelCatalogException("registry.yaml names " + model + "@" + version + " as production, but "
            + root.resolve(model).resolve(version).resolve("config.yaml") + " does not exist");
      }
    });
    return new ModelCatalog(root, byModel, production);
  }

  private static ModelConfig read(Path file) {
    try {
      ModelConfig config = YAML.readValue(file.toFile(), ModelConfig.class).withDirectory(file.getParent());
      config.validate();
      String folder = file.getParent().getFileName().toString();
      if (!folder.equals(config.version())) {
        throw new ModelCatalogException(file + " says version " + config.version() + " but lives in folder " + folder);
      }
      return config;
    } catch (IOException e) {
      throw new ModelCatalogException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> readProduction(Path registry) {
    Map<String, String> production = new TreeMap<>();
    if (!Files.exists(registry)) {
      return production;
    }
    try {
      JsonNode models = YAML.readTree(registry.toFile()).path("models");
      models.fields().forEachRemaining(e -> {
        JsonNode version = e.getValue().get("production");
        if (version != null) {
          production.put(e.getKey(), version.asText());
        }
      });
      return production;
    } catch (IOException e) {
      throw new ModelCatalogException("cannot parse " + registry + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  /** The version that serves {@code modelId} when the request names no version. */
  public Optional<ModelConfig> resolve(String modelId) {
    List<ModelConfig> versions = versionsByModel.get(modelId);
    if (versions == null) {
      return Optional.empty();
    }
    String pinned = production.get(modelId);
    return pinned == null ? Optional.of(versions.get(0)) : find(modelId, pinned);
  }

  public Optional<ModelConfig> find(String modelId, String version) {
    return versionsByModel.getOrDefault(modelId, List.of()).stream().filter(c -> c.version().equals(version)).findFirst();
  }

  public Collection<String> modelIds() {
    return versionsByModel.keySet();
  }

  /**
   * Every version on disk. Workers load them all: a batch is pinned to a version when accepted, so
   * chunks of an older version may still be queued after the registry moves production on.
   */
  public List<ModelConfig> allVersions() {
    return versionsByModel.values().stream().flatMap(List::stream).toList();
  }
}
