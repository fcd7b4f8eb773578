package dev.batchinfer.deploy;

import java.util.List;
import java.util.Map;

/** A kustomization.yaml (a Kustomization or a Component), the fields these files may use. */
record Kustomization(String apiVersion, String kind, String namespace, List<Label> labels, List<String> resources,
    List<String> components, List<Patch> patches, List<Image> images) {

  record Label(Map<String, String> pairs, Boolean includeSelectors, Boolean includeTemplates) {}

  record Patch(String path, Map<String, String> target) {}

  record Image(String name, String newName, String newTag) {}

  /** The files and directories this one names, relative to its own directory. */
  List<String> references() {
    List<String> refs = new java.util.ArrayList<>();
    if (resources != null) {
      refs.addAll(resources);
    }
    if (components != null) {
      refs.addAll(components);
    }
    if (patches != null) {
      patches.stream().map(Patch::path).filter(java.util.Objects::nonNull).forEach(refs::add);
    }
    return refs;
  }
}
