package dev.batchinfer.deploy;

import dev.batchinfer.api.ProducerApiMain;
import dev.batchinfer.callback.CallbackDispatcherMain;
import dev.batchinfer.config.TopicInitMain;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.progress.ResultStoreMain;
import dev.batchinfer.worker.GpuWorkerMain;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Deployment, StatefulSet or Job of a rendered overlay, seen through its pod template. */
record Workload(String kind, String name, int replicas, PodTemplateSpec template, boolean longRunning) {

  /** The services, by the main class a container runs, and each one's default management port. */
  enum Service {
    API(ProducerApiMain.class, MetricsSettings.DEFAULT_API_PORT),
    WORKER(GpuWorkerMain.class, MetricsSettings.DEFAULT_WORKER_PORT),
    PROGRESS(ResultStoreMain.class, MetricsSettings.DEFAULT_PROGRESS_PORT),
    DISPATCHER(CallbackDispatcherMain.class, MetricsSettings.DEFAULT_DISPATCHER_PORT),
    TOPIC_INIT(TopicInitMain.class, -1);

    final Class<?> main;
    final int defaultMetricsPort;

    Service(Class<?> main, int defaultMetricsPort) {
      this.main = main;
      this.defaultMetricsPort = defaultMetricsPort;
    }

    static Optional<Service> running(Container c) {
      List<String> cmd = commandLine(c);
      for (Service s : values()) {
        if (cmd.contains(s.main.getName())) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * What a secret's value is taken to be when a service's settings are read: well-formed, so the
   * service's own parser accepts it; the real one is in the cluster's Secret.
   */
  static final Map<String, String> SECRET_STAND_INS = Map.of(
      "API_KEYS", "tenant:user:" + "0".repeat(64),
      "WEBHOOK_SECRETS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "TENANT_WEBHOOK_SECRETS", "",
      "REDIS_URL", "redis://redis:6379");

  /** The container's command and then its arguments: what its process is started with. */
  static List<String> commandLine(Container c) {
    List<String> words = new ArrayList<>();
    if (c.getCommand() != null) {
      words.addAll(c.getCommand());
    }
    if (c.getArgs() != null) {
      words.addAll(c.getArgs());
    }
    return words;
  }

  static List<Workload> all(List<Object> objects) {
    List<Workload> out = new ArrayList<>();
    for (Deployment d : Manifests.of(objects, Deployment.class)) {
      out.add(new Workload("Deployment", d.getMetadata().getName(), orOne(d.getSpec().getReplicas()), d.getSpec().getTemplate(), true));
    }
    for (StatefulSet s : Manifests.of(objects, StatefulSet.class)) {
      out.add(new Workload("StatefulSet", s.getMetadata().getName(), orOne(s.getSpec().getReplicas()), s.getSpec().getTemplate(), true));
    }
    for (Job j : Manifests.of(objects, Job.class)) {
      out.add(new Workload("Job", j.getMetadata().getName(), 1, j.getSpec().getTemplate(), false));
    }
    return out;
  }

  private static int orOne(Integer n) {
    return n == null ? 1 : n;
  }

  String id() {
    return kind + "/" + name;
  }

  List<Container> containers() {
    List<Container> all = new ArrayList<>();
    if (template.getSpec().getInitContainers() != null) {
      all.addAll(template.getSpec().getInitContainers());
    }
    all.addAll(template.getSpec().getContainers());
    return all;
  }

  Map<String, String> labels() {
    return template.getMetadata() == null || template.getMetadata().getLabels() == null ? Map.of()
        : template.getMetadata().getLabels();
  }

  /** The one container that runs {@code service}, if this workload runs it. */
  Optional<Container> container(Service service) {
    return template.getSpec().getContainers().stream().filter(c -> Service.running(c).equals(Optional.of(service))).findFirst();
  }

  /**
   * The environment a container's process sees: its ConfigMaps' data (envFrom), then its own literal
   * values, then a stand-in for each value taken from a Secret.
   */
  static Map<String, String> env(Container c, List<Object> objects) {
    Map<String, String> env = new HashMap<>();
    if (c.getEnvFrom() != null) {
      for (EnvFromSource from : c.getEnvFrom()) {
        if (from.getConfigMapRef() != null) {
          Manifests.of(objects, ConfigMap.class).stream()
              .filter(m -> m.getMetadata().getName().equals(from.getConfigMapRef().getName()))
              .findFirst().ifPresent(m -> env.putAll(m.getData()));
        }
      }
    }
    if (c.getEnv() != null) {
      for (EnvVar v : c.getEnv()) {
        if (v.getValue() != null) {
          env.put(v.getName(), v.getValue());
        } else if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
          env.put(v.getName(), SECRET_STAND_INS.getOrDefault(v.getName(), "stand-in"));
        }
      }
    }
    return env;
  }
}
