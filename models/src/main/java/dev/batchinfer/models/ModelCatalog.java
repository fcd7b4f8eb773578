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
  private final Map<String, Deployment> seeds;

  private ModelCatalog(Path root, Map<String, List<ModelConfig>> versionsByModel, Map<String, Deployment> seeds) {
    this.root = root;
    this.versionsByModel = versionsByModel;
    this.seeds = seeds;
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
    Map<String, Deployment> deployments = readDeployments(root.resolve("registry.yaml"));
    deployments.forEach((model, d) -> {
      List<String> named = new ArrayList<>(List.of(d.production()));
      if (d.canary() != null) {
        named.add(d.canary().version());
      }
      named.addAll(d.shadow());
      named.addAll(d.staging());
      for (String version : named) {
        boolean present = byModel.getOrDefault(model, List.of()).stream().anyMatch(c -> c.version().equals(version));
        if (!present) {
          throw new ModelCatalogException("registry.yaml names " + model + "@" + version + ", but "
              + root.resolve(model).resolve(version).resolve("config.yaml") + " does not exist");
        }
      }
    });
    for (Map.Entry<String, List<ModelConfig>> e : byModel.entrySet()) {
      deployments.computeIfAbsent(e.getKey(), m -> Deployment.of(e.getValue().get(0).version()));
    }
    return new ModelCatalog(root, byModel, deployments);
  }

  private static ModelConfig read(Path file) {
    try {
      ModelConfig config = ModelConfigYaml.read(file).withDirectory(file.getParent());
      try {
        config.validate();
      } catch (ModelCatalogException e) {
        throw new ModelCatalogException(file + ": " + e.getMessage(), e);
      }
      String folder = file.getParent().getFileName().toString();
      if (!folder.equals(config.version())) {
        throw new ModelCatalogException(file + " says version " + config.version() + " but lives in folder " + folder);
      }
      return config;
    } catch (IOException e) {
      throw new ModelCatalogException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Deployment> readDeployments(Path registry) {
    Map<String, Deployment> out = new TreeMap<>();
    if (!Files.exists(registry)) {
      return out;
    }
    try {
      JsonNode models = YAML.readTree(registry.toFile()).path("models");
      var fields = models.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        JsonNode m = e.getValue();
        if (!m.hasNonNull("production")) {
          throw new ModelCatalogException(registry + ": model " + e.getKey() + " needs a production version");
        }
        Deployment.Canary canary = null;
        if (m.hasNonNull("canary")) {
          double traffic = m.path("canary").path("traffic").asDouble(-1);
          if (traffic < 0 || traffic > 1) {
            throw new ModelCatalogException(registry + ": " + e.getKey() + " canary.traffic must be from 0 to 1");
          }
          canary = new Deployment.Canary(m.path("canary").path("version").asText(), traffic);
        }
        out.put(e.getKey(), new Deployment(m.get("production").asText(), canary, strings(m.path("shadow")),
            strings(m.path("staging")), strings(m.path("archived")), List.of(), List.of(), 1));
      }
      return out;
    } catch (IOException e) {
      throw new ModelCatalogException("cannot parse " + registry + ": " + e.getMessage(), e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  public Path root() {
    return root;
  }

  /** The production version in registry.yaml (or the newest) of {@code modelId}. */
  public Optional<ModelConfig> resolve(String modelId) {
    Deployment d = seeds.get(modelId);
    return d == null ? Optional.empty() : find(modelId, d.production());
  }

  /**
   * The deployment registry.yaml declares for a model (production: the newest version if it names
   * none). It seeds the live registry; changes after that are made through the API.
   */
  public Optional<Deployment> seedDeployment(String modelId) {
    return Optional.ofNullable(seeds.get(modelId));
  }

  /** Every version of a model, newest first. */
  public List<ModelConfig> versions(String modelId) {
    return versionsByModel.getOrDefault(modelId, List.of());
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
