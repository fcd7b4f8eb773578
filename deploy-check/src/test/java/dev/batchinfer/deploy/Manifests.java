package dev.batchinfer.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads Kubernetes YAML into typed objects: the fabric8 model for Kubernetes' own kinds, {@link ScaledObject}
 * for KEDA's, {@link Kustomization} for kustomize's files. An unknown field anywhere is an error, as a
 * misspelt field would otherwise be dropped by the API server without a word.
 */
final class Manifests {

  /** Where the manifests are, from this module's directory (where surefire runs). */
  static final Path ROOT = Path.of("../deploy/k8s");

  static final Map<String, Class<?>> KINDS = Map.ofEntries(
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("batch/v1/Job", Job.class),
      Map.entry("v1/Service", Service.class),
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
      Map.entry("keda.sh/v1alpha1/ScaledObject", ScaledObject.class),
      Map.entry("kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class),
      Map.entry("kustomize.config.k8s.io/v1alpha1/Component", Kustomization.class));

  /**
   * The fabric8 classes keep unknown fields in {@code additionalProperties} through a {@code @JsonAnySetter};
   * ignoring that annotation makes Jackson refuse them instead.
   */
  static final ObjectMapper STRICT = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnySetter(Annotated a) {
          return Boolean.FALSE;
        }
      });

  private Manifests() {}

  /** Every YAML file under {@code dir}. */
  static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each document of a file (a manifest, a patch or a kustomization) as its typed object. */
  static List<Object> read(Path file) {
    try {
      return readAll(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Object> readAll(String yaml, String source) {
    List<Object> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = STRICT.readerFor(JsonNode.class).readValues(yaml)) {
      int n = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        n++;
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        out.add(typed(doc, source + " document " + n));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not YAML: " + e.getMessage(), e);
    }
    return out;
  }

  static Object typed(JsonNode doc, String where) {
    String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    Class<?> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException(where + ": no typed model for " + key + " (add it to Manifests.KINDS)");
    }
    try {
      return STRICT.treeToValue(doc, type);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " (" + key + "): " + e.getMessage(), e);
    }
  }

  /** The objects of one kind, e.g. every Deployment of a rendered overlay. */
  static <T> List<T> of(List<Object> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static String name(Object o) {
    if (o instanceof HasMetadata m) {
      return m.getKind() + "/" + m.getMetadata().getName();
    }
    if (o instanceof ScaledObject s) {
      return "ScaledObject/" + s.metadata().name();
    }
    return o.getClass().getSimpleName();
  }
}
