package dev.batchinfer.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every file under deploy/k8s, read on its own: no tool needed. */
class ManifestFilesTest {

  @Test
  void every_file_reads_into_typed_objects_with_no_unknown_field() {
    List<Path> files = Manifests.files(Manifests.ROOT);
    assertThat(files).hasSizeGreaterThan(10);
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      try {
        assertThat(Manifests.read(f)).as(f.toString()).isNotEmpty();
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void a_misspelt_field_is_refused_not_dropped() {
    String yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replica: 2
        """;
    assertThatThrownBy(() -> Manifests.readAll(yaml, "test")).hasMessageContaining("replica");
    assertThat(Manifests.of(Manifests.readAll(yaml.replace("replica:", "replicas:"), "test"), Deployment.class)).hasSize(1);
    assertThatThrownBy(() -> Manifests.readAll("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec: {maxReplicas: 3}\n", "test"))
        .hasMessageContaining("maxReplicas");
  }

  @Test
  void every_file_a_kustomization_names_exists_and_every_file_is_named_by_one() {
    Set<Path> named = new HashSet<>();
    List<String> missing = new ArrayList<>();
    for (Path f : Manifests.files(Manifests.ROOT)) {
      for (Object o : Manifests.read(f)) {
        if (o instanceof Kustomization k) {
          named.add(f.normalize());
          for (String ref : k.references()) {
            Path p = f.getParent().resolve(ref).normalize();
            if (Files.isDirectory(p)) {
              p = p.resolve("kustomization.yaml");
            }
            if (!Files.isRegularFile(p)) {
              missing.add(f + " names " + ref + ", which is not there");
            }
            named.add(p);
          }
        }
      }
    }
    assertThat(missing).isEmpty();
    assertThat(Manifests.files(Manifests.ROOT).stream().map(Path::normalize).filter(p -> !named.contains(p)))
        .as("files no kustomization uses").isEmpty();
  }
}
