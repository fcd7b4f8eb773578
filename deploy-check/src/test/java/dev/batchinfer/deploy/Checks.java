package dev.batchinfer.deploy;

import dev.batchinfer.api.ApiSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.progress.ProgressSettings;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.WorkerMetrics;
import dev.batchinfer.worker.WorkerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks of one rendered overlay. Each returns what is wrong, one line per problem naming the
 * object, so a failing test says what to fix; an empty list is a pass.
 */
final class Checks {

  static final String GPU = "nvidia.com/gpu";
  /** Environment variables whose value must come from a Secret. */
  static final Pattern SECRET_NAME = Pattern.compile(".*(KEY|SECRET|PASSWORD|TOKEN).*");
  private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)");

  private final List<Object> objects;
  private final List<Workload> workloads;

  Checks(List<Object> objects) {
    this.objects = objects;
    this.workloads = Workload.all(objects);
  }

  /** Requests and limits of CPU and memory on every container, and a heap below the memory limit. */
  List<String> resources() {
    List<String> problems = new ArrayList<>();
    for (Workload w : workloads) {
      for (Container c : w.containers()) {
        String at = w.id() + " container " + c.getName();
        ResourceRequirements r = c.getResources();
        for (String resource : List.of("cpu", "memory")) {
          if (r == null || r.getRequests() == null || !r.getRequests().containsKey(resource)) {
            problems.add(at + ": no " + resource + " request");
          }
          if (r == null || r.getLimits() == null || !r.getLimits().containsKey(resource)) {
            problems.add(at + ": no " + resource + " limit");
          }
        }
        Optional<Long> heap = heapBytes(c);
        if (heap.isEmpty()) {
          problems.add(at + ": the JVM is given no -Xmx");
        } else if (r != null && r.getLimits() != null && r.getLimits().containsKey("memory")
            && BigDecimal.valueOf(heap.get()).compareTo(Quantity.getAmountInBytes(r.getLimits().get("memory"))) >= 0) {
          problems.add(at + ": heap -Xmx is not below the memory limit " + r.getLimits().get("memory"));
        }
      }
    }
    return problems;
  }

  /**
   * Every long-running container has a liveness and a readiness probe, each an HTTP GET on a port the
   * container declares; the service's own settings, as the manifests give them, put its management
   * server on that port, on an address other than loopback (the kubelet probes the pod's address).
   */
  List<String> probes() {
    List<String> problems = new ArrayList<>();
    for (Workload w : workloads) {
      if (!w.longRunning()) {
        continue;
      }
      for (Container c : w.template().getSpec().getContainers()) {
        String at = w.id() + " container " + c.getName();
        Optional<Workload.Service> service = Workload.Service.running(c);
        if (service.isEmpty()) {
          problems.add(at + ": runs none of the services' main classes");
          continue;
        }
        Env env = Env.of(Workload.env(c, objects));
        MetricsSettings management = MetricsSettings.from(env, service.get().defaultMetricsPort);
        if (!management.enabled() || !env.bool("METRICS_ENABLED", true)) {
          problems.add(at + ": no management server (METRICS_PORT off or METRICS_ENABLED false): nothing answers the probes");
          continue;
        }
        if (isLoopback(management.host())) {
          problems.add(at + ": the management server binds to " + management.host() + " (METRICS_HOST): the kubelet cannot reach it");
        }
        problems.addAll(probe(at, "liveness", c, c.getLivenessProbe(), management.port(), MetricsServer.LIVE_PATH));
        if (service.get() == Workload.Service.API) {
          // The API's own GET /health: 503 while Redis is unreachable.
          ApiSettings.Http http = ApiSettings.from(env).http();
          if (isLoopback(http.host())) {
            problems.add(at + ": the API binds to " + http.host() + " (API_HOST): the kubelet cannot reach it");
          }
          problems.addAll(probe(at, "readiness", c, c.getReadinessProbe(), http.port(), "/health"));
        } else {
          problems.addAll(probe(at, "readiness", c, c.getReadinessProbe(), management.port(), MetricsServer.READY_PATH));
        }
      }
    }
    return problems;
  }

  private static List<String> probe(String at, String which, Container c, Probe probe, int port, String path) {
    if (probe == null || probe.getHttpGet() == null) {
      return List.of(at + ": no " + which + " probe by HTTP GET");
    }
    HTTPGetAction get = probe.getHttpGet();
    List<String> problems = new ArrayList<>();
    Optional<Integer> probed = declaredPort(c, get.getPort());
    if (probed.isEmpty()) {
      problems.add(at + ": the " + which + " probe's port " + portText(get.getPort()) + " is not a port the container declares");
    } else if (probed.get() != port) {
      problems.add(at + ": the " + which + " probe goes to port " + probed.get() + ", the service serves " + path + " on " + port);
    }
    if (!path.equals(get.getPath())) {
      problems.add(at + ": the " + which + " probe asks " + get.getPath() + ", not " + path);
    }
    return problems;
  }

  private static Optional<Integer> declaredPort(Container c, IntOrString port) {
    if (port == null || c.getPorts() == null) {
      return Optional.empty();
    }
    for (ContainerPort p : c.getPorts()) {
      if (port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort())) {
        return Optional.of(p.getContainerPort());
      }
    }
    return Optional.empty();
  }

  private static String portText(IntOrString port) {
    return port == null ? "(none)" : port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
  }

  private static boolean isLoopback(String host) {
    return host.startsWith("127.") || host.equals("localhost") || host.equals("::1");
  }

  /**
   * No secret written into the manifests: a variable named like a secret takes its value from a
   * Secret (secretKeyRef), no ConfigMap has such a key, and no Secret object carries data.
   */
  List<String> secrets() {
    List<String> problems = new ArrayList<>();
    for (Workload w : workloads) {
      for (Container c : w.containers()) {
        for (EnvVar v : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
          if (SECRET_NAME.matcher(v.getName()).matches()
              && (v.getValueFrom() == null || v.getValueFrom().getSecretKeyRef() == null)) {
            problems.add(w.id() + " container " + c.getName() + ": " + v.getName() + " is not taken from a Secret (secretKeyRef)");
          }
        }
      }
    }
    for (ConfigMap m : Manifests.of(objects, ConfigMap.class)) {
      for (String key : m.getData() == null ? Set.<String>of() : m.getData().keySet()) {
        if (SECRET_NAME.matcher(key).matches()) {
          problems.add("ConfigMap/" + m.getMetadata().getName() + ": " + key + " belongs in a Secret");
        }
      }
    }
    for (Secret s : Manifests.of(objects, Secret.class)) {
      if ((s.getData() != null && !s.getData().isEmpty()) || (s.getStringData() != null && !s.getStringData().isEmpty())) {
        problems.add("Secret/" + s.getMetadata().getName() + ": secret values written into the manifests");
      }
    }
    return problems;
  }

  /** A PodDisruptionBudget for every Deployment and StatefulSet, selecting its pods and no other workload's. */
  List<String> disruptionBudgets() {
    List<String> problems = new ArrayList<>();
    List<PodDisruptionBudget> budgets = Manifests.of(objects, PodDisruptionBudget.class);
    for (Workload w : workloads) {
      if (!w.longRunning()) {
        continue;
      }
      List<PodDisruptionBudget> mine = budgets.stream().filter(b -> selects(b.getSpec().getSelector(), w.labels())).toList();
      if (mine.size() != 1) {
        problems.add(w.id() + ": " + mine.size() + " PodDisruptionBudgets select its pods; it needs one");
      }
    }
    for (PodDisruptionBudget b : budgets) {
      long selected = workloads.stream().filter(w -> selects(b.getSpec().getSelector(), w.labels())).count();
      if (selected != 1) {
        problems.add("PodDisruptionBudget/" + b.getMetadata().getName() + ": selects the pods of " + selected + " workloads");
      }
    }
    return problems;
  }

  private static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()
        || (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty())) {
      return false; // only matchLabels are used here; anything else is not understood, so it selects nothing
    }
    return labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
  }

  /**
   * On a GPU overlay the worker requests and limits nvidia.com/gpu, is placed by a node selector and
   * tolerates the GPU nodes' taint; elsewhere no container asks for a GPU.
   */
  List<String> gpu(boolean gpuOverlay) {
    List<String> problems = new ArrayList<>();
    Workload worker = worker();
    Container c = worker.container(Workload.Service.WORKER).orElseThrow();
    ResourceRequirements r = c.getResources();
    boolean requests = r != null && r.getRequests() != null && r.getRequests().containsKey(GPU)
        && Quantity.getAmountInBytes(r.getRequests().get(GPU)).signum() > 0;
    boolean limits = r != null && r.getLimits() != null && r.getLimits().containsKey(GPU)
        && Quantity.getAmountInBytes(r.getLimits().get(GPU)).signum() > 0;
    if (!gpuOverlay) {
      for (Workload w : workloads) {
        for (Container any : w.containers()) {
          if (any.getResources() != null && ((any.getResources().getLimits() != null && any.getResources().getLimits().containsKey(GPU))
              || (any.getResources().getRequests() != null && any.getResources().getRequests().containsKey(GPU)))) {
            problems.add(w.id() + " container " + any.getName() + ": asks for a GPU outside a GPU overlay");
          }
        }
      }
      return problems;
    }
    if (!requests) {
      problems.add(worker.id() + ": no " + GPU + " request");
    }
    if (!limits) {
      problems.add(worker.id() + ": no " + GPU + " limit");
    }
    List<Toleration> tolerations = worker.template().getSpec().getTolerations();
    if (tolerations == null || tolerations.stream().noneMatch(t -> GPU.equals(t.getKey()))) {
      problems.add(worker.id() + ": no toleration of the " + GPU + " taint");
    }
    Map<String, String> selector = worker.template().getSpec().getNodeSelector();
    if (selector == null || selector.isEmpty()) {
      problems.add(worker.id() + ": no node selector for GPU nodes");
    }
    return problems;
  }

  /**
   * Exactly one autoscaler for the workers. KEDA: a kafka trigger per request topic, on the workers'
   * consumer group and Kafka, as the worker's own settings name them. HPA: the lag gauge the worker
   * exports, by its exported name. Neither asks for more workers than a request topic has partitions.
   */
  List<String> autoscaling() {
    List<String> problems = new ArrayList<>();
    Workload worker = worker();
    WorkerSettings settings = WorkerSettings.from(Env.of(Workload.env(worker.container(Workload.Service.WORKER).orElseThrow(), objects)));
    Topics topics = settings.common().topics();
    int partitions = topics.requests(Priority.NORMAL).partitions();
    List<ScaledObject> keda = Manifests.of(objects, ScaledObject.class).stream()
        .filter(s -> targets(s.spec().scaleTargetRef().kind(), s.spec().scaleTargetRef().name(), worker)).toList();
    List<HorizontalPodAutoscaler> hpas = Manifests.of(objects, HorizontalPodAutoscaler.class).stream()
        .filter(h -> targets(h.getSpec().getScaleTargetRef().getKind(), h.getSpec().getScaleTargetRef().getName(), worker)).toList();
    if (keda.size() + hpas.size() != 1) {
      problems.add(worker.id() + ": " + keda.size() + " ScaledObjects and " + hpas.size()
          + " HorizontalPodAutoscalers scale it; it needs exactly one");
    }
    for (ScaledObject s : keda) {
      String at = Manifests.name(s);
      Set<String> wanted = new TreeSet<>();
      for (Priority p : Priority.values()) {
        wanted.add(topics.requests(p).name());
      }
      Set<String> seen = new TreeSet<>();
      for (ScaledObject.Trigger t : s.spec().triggers()) {
        if (!"kafka".equals(t.type())) {
          problems.add(at + ": a " + t.type() + " trigger, not kafka");
          continue;
        }
        Map<String, String> m = t.metadata();
        seen.add(m.get("topic"));
        if (!settings.consumerGroup().equals(m.get("consumerGroup"))) {
          problems.add(at + ": trigger on " + m.get("topic") + " watches group " + m.get("consumerGroup")
              + "; the workers join " + settings.consumerGroup());
        }
        if (!settings.common().kafkaBootstrapServers().equals(m.get("bootstrapServers"))) {
          problems.add(at + ": trigger on " + m.get("topic") + " asks Kafka at " + m.get("bootstrapServers")
              + "; the workers use " + settings.common().kafkaBootstrapServers());
        }
      }
      if (!seen.equals(wanted)) {
        problems.add(at + ": triggers on topics " + seen + "; the workers consume " + wanted);
      }
      if (s.spec().maxReplicaCount() == null || s.spec().maxReplicaCount() > partitions) {
        problems.add(at + ": maxReplicaCount " + s.spec().maxReplicaCount() + " past the " + partitions + " partitions of a request topic");
      }
    }
    String lag = exportedLagName();
    for (HorizontalPodAutoscaler h : hpas) {
      String at = "HorizontalPodAutoscaler/" + h.getMetadata().getName();
      List<String> names = h.getSpec().getMetrics() == null ? List.of() : h.getSpec().getMetrics().stream()
          .map(Checks::metricName).toList();
      if (!names.equals(List.of(lag))) {
        problems.add(at + ": scales on " + names + "; the worker exports its lag as " + lag);
      }
      if (h.getSpec().getMaxReplicas() > partitions) {
        problems.add(at + ": maxReplicas " + h.getSpec().getMaxReplicas() + " past the " + partitions + " partitions of a request topic");
      }
    }
    return problems;
  }

  private static boolean targets(String kind, String name, Workload w) {
    return w.kind().equals(kind) && w.name().equals(name);
  }

  private static String metricName(MetricSpec m) {
    if (m.getPods() != null) {
      return m.getPods().getMetric().getName();
    }
    if (m.getExternal() != null) {
      return m.getExternal().getMetric().getName();
    }
    return m.getType();
  }

  /** The name the worker's lag gauge has on /metrics, as Micrometer's Prometheus registry writes it. */
  static String exportedLagName() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder(WorkerMetrics.CONSUMER_LAG, () -> 0).baseUnit(WorkerMetrics.CONSUMER_LAG_UNIT).register(registry);
    return registry.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("[{ ]")[0])
        .findFirst().orElseThrow();
  }

  /**
   * The progress service is a StatefulSet whose state directory (STREAMS_STATE_DIR, as its settings
   * read it) is a volume from a claim template, with standby replicas when it has two instances or more.
   */
  List<String> progressState() {
    List<String> problems = new ArrayList<>();
    for (StatefulSet s : Manifests.of(objects, StatefulSet.class)) {
      Workload w = workloads.stream().filter(x -> x.id().equals("StatefulSet/" + s.getMetadata().getName())).findFirst().orElseThrow();
      Optional<Container> c = w.container(Workload.Service.PROGRESS);
      if (c.isEmpty()) {
        continue;
      }
      ProgressSettings settings = ProgressSettings.from(Env.of(Workload.env(c.get(), objects)));
      Set<String> claims = s.getSpec().getVolumeClaimTemplates() == null ? Set.of() : s.getSpec().getVolumeClaimTemplates()
          .stream().map(t -> t.getMetadata().getName()).collect(Collectors.toSet());
      List<VolumeMount> mounts = c.get().getVolumeMounts() == null ? List.of() : c.get().getVolumeMounts();
      boolean onClaim = mounts.stream().anyMatch(m -> claims.contains(m.getName())
          && settings.stateDir().toString().equals(m.getMountPath()));
      if (!onClaim) {
        problems.add(w.id() + ": STREAMS_STATE_DIR " + settings.stateDir() + " is not a volume from a claim template");
      }
      if (w.replicas() >= 2 && settings.standbyReplicas() < 1) {
        problems.add(w.id() + ": " + w.replicas() + " instances and no standby replica (STREAMS_STANDBY_REPLICAS)");
      }
    }
    if (workloads.stream().noneMatch(w -> w.kind().equals("StatefulSet") && w.container(Workload.Service.PROGRESS).isPresent())) {
      problems.add("the progress service (ResultStoreMain) does not run as a StatefulSet");
    }
    return problems;
  }

  /** A Job runs the topic initialiser; each service runs in a workload of its own. */
  List<String> services() {
    List<String> problems = new ArrayList<>();
    for (Workload.Service s : Workload.Service.values()) {
      List<Workload> running = workloads.stream().filter(w -> w.container(s).isPresent()).toList();
      String expected = s == Workload.Service.TOPIC_INIT ? "Job" : null;
      if (running.size() != 1) {
        problems.add(s.main.getSimpleName() + " runs in " + running.size() + " workloads; it needs one");
      } else if (expected != null && !running.get(0).kind().equals(expected)) {
        problems.add(s.main.getSimpleName() + " runs in a " + running.get(0).kind() + ", not a Job");
      }
    }
    return problems;
  }

  Workload worker() {
    return workloads.stream().filter(w -> w.container(Workload.Service.WORKER).isPresent()).findFirst()
        .orElseThrow(() -> new AssertionError("no workload runs GpuWorkerMain"));
  }

  static Optional<Long> heapBytes(Container c) {
    for (String w : Workload.commandLine(c)) {
      Matcher m = XMX.matcher(w);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2).toLowerCase()) {
          case "k" -> n << 10;
          case "m" -> n << 20;
          case "g" -> n << 30;
          default -> n;
        });
      }
    }
    return Optional.empty();
  }
}
