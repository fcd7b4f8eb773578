package dev.batchinfer.api.models;

import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.Deployment;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.SemVer;
import dev.batchinfer.store.model.RegistryStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Picks the version a request runs on, once, when it is accepted: an exact version from the
 * {@code X-Model-Version} header, the newest served version of a major from a {@code <model>-v<N>}
 * id, or else the registry's routing (production, or the canary for its share of batch ids).
 * Deployments are read from the live registry, cached for a second.
 */
public final class ModelRouter {

  public static final String VERSION_HEADER = "X-Model-Version";
  private static final Pattern MAJOR_PIN = Pattern.compile("(.+)-v(\\d{1,6})");
  private static final long CACHE_NANOS = 1_000_000_000L;

  private record Cached(Deployment deployment, long at) {}

  private final ModelCatalog catalog;
  private final RegistryStore registry;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public ModelRouter(ModelCatalog catalog, RegistryStore registry) {
    this.catalog = catalog;
    this.registry = registry;
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  /** The live deployment of a model (seeded from registry.yaml on first use). */
  public Deployment deployment(String model) {
    Cached c = cache.get(model);
    if (c != null && System.nanoTime() - c.at() < CACHE_NANOS) {
      return c.deployment();
    }
    Deployment d;
    try {
      d = registry.current(model, catalog.seedDeployment(model).orElseThrow());
    } catch (io.lettuce.core.RedisException e) {
      if (c == null) {
        throw e;
      }
      // Redis is down: the last deployment seen is still the best answer for reads; a submit
      // fails anyway where it records the batch.
      return c.deployment();
    }
    cache.put(model, new Cached(d, System.nanoTime()));
    return d;
  }

  /** Forgets cached deployments after this instance changed one. */
  public void invalidate(String model) {
    cache.remove(model);
  }

  /**
   * @param requested the model id as the client wrote it, maybe with a -vN suffix
   * @param headerVersion the X-Model-Version header, or null
   * @param field where the model was named, for errors ("/model" in a body, "model_id" in a path)
   * @throws ApiException 400/404 for an unknown model, 404 for an unknown version, 410 for an
   *     archived one
   */
  public ModelConfig select(String requested, String headerVersion, String batchId, String field) {
    String model = requested;
    Integer major = null;
    if (catalog.versions(requested).isEmpty()) {
      Matcher m = MAJOR_PIN.matcher(requested);
      if (m.matches() && !catalog.versions(m.group(1)).isEmpty()) {
        model = m.group(1);
        major = Integer.parseInt(m.group(2));
      } else {
        throw unknownModel(requested, field);
      }
    }
    Deployment d = deployment(model);
    if (headerVersion != null && !headerVersion.isBlank()) {
      return exact(model, headerVersion.trim(), d);
    }
    if (major != null) {
      int wanted = major;
      String name = model;
      return catalog.versions(model).stream()
          .filter(c -> SemVer.parse(c.version()).orElseThrow().major() == wanted && !d.isArchived(c.version()))
          .findFirst() // versions are newest first
          .orElseThrow(() -> new ApiException(404, "unknown-version", "Unknown model version",
              "model " + name + " has no served " + wanted + ".x version", field, null));
    }
    return catalog.find(model, d.route(batchId)).orElseThrow(() -> new IllegalStateException(
        "registry routes " + requested + " to a version that is not on disk"));
  }

  private ModelConfig exact(String model, String version, Deployment d) {
    Optional<ModelConfig> found = catalog.find(model, version);
    if (found.isEmpty()) {
      throw new ApiException(404, "unknown-version", "Unknown model version", "model " + model + " has no version "
          + version + "; it has " + catalog.versions(model).stream().map(ModelConfig::version)
          .collect(Collectors.joining(", ")), VERSION_HEADER, null);
    }
    if (d.isArchived(version)) {
      throw new ApiException(410, "archived-version", "Model version archived",
          "model " + model + " version " + version + " is archived and no longer served; use " + d.production(),
          VERSION_HEADER, null);
    }
    return found.get();
  }

  private ApiException unknownModel(String requested, String field) {
    String detail = "unknown model \"" + requested + "\": available models are "
        + String.join(", ", catalog.modelIds());
    return field.startsWith("/") ? ApiException.invalid(field, detail)
        : new ApiException(404, "unknown-model", "Unknown model", detail, field, null);
  }
}
