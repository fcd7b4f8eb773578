package dev.batchinfer.deploy;

import java.util.List;
import java.util.Map;

/**
 * KEDA's ScaledObject ({@code keda.sh/v1alpha1}), the fields these manifests may use: any other field
 * is refused when read, as in the fabric8 model.
 */
record ScaledObject(String apiVersion, String kind, Metadata metadata, Spec spec) {

  record Metadata(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {}

  record Spec(Target scaleTargetRef, Integer minReplicaCount, Integer maxReplicaCount, Integer idleReplicaCount,
      Integer pollingInterval, Integer cooldownPeriod, List<Trigger> triggers) {}

  record Target(String apiVersion, String kind, String name) {}

  /** For the kafka scaler, metadata holds bootstrapServers, consumerGroup, topic, lagThreshold, ... */
  record Trigger(String type, String name, Map<String, String> metadata) {}
}
