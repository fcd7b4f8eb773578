package dev.batchinfer.chaos;

import dev.batchinfer.embedded.FreePorts;
import dev.batchinfer.callback.sign.WebhookSigner;
import dev.batchinfer.embedded.proc.Dirs;
import dev.batchinfer.embedded.proc.KafkaProcessCluster;
import dev.batchinfer.embedded.proc.RedisCluster;
import dev.batchinfer.embedded.proc.RedisServer;
import dev.batchinfer.embedded.proc.Service;
import dev.batchinfer.topics.Replication;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole system on one machine, every part an OS process of its own: one or three Kafka brokers (KRaft, from
 * the Apache Kafka artifacts), {@code redis-server} with its AOF (or a Redis Cluster of three masters), and N
 * instances of the API, the worker, the progress service and the dispatcher, each a JVM with an explicit heap.
 * Faults are made on these processes by pid. Ports are fixed for the cluster's life, so a restarted broker or
 * Redis is found where it was.
 */
public final class ChaosCluster implements AutoCloseable {

  /** Two tenants, so isolation can be checked. */
  public static final String KEY_A = "chaos-key-a";
  public static final String KEY_B = "chaos-key-b";
  public static final String KEY_PREFIX = "chaos:";

  /**
   * How many of each service, how many brokers (1, or 3 and more for a replicated cluster), whether Redis is a
   * Redis Cluster of three masters, and settings on top of the cluster's own.
   */
  public record Layout(int apis, int workers, int progress, int dispatchers, int brokers, boolean redisCluster,
      Map<String, String> env) {
    /** What the chaos suite runs: two API instances, three workers, two progress instances, two dispatchers. */
    public static Layout full() {
      return new Layout(2, 3, 2, 2, 1, false, Map.of());
    }

    /**
     * {@link #full()} on three brokers (replication 3, two in sync) and a three-master Redis Cluster, the two
     * progress instances each keeping a standby copy of the other's state.
     */
    public static Layout replicated() {
      return new Layout(2, 3, 2, 2, 3, true, Map.of("STREAMS_STANDBY_REPLICAS", "1"));
    }

    public Layout withWorkers(int n) {
      return new Layout(apis, n, progress, dispatchers, brokers, redisCluster, env);
    }

    public Layout withEnv(Map<String, String> more) {
      Map<String, String> e = new HashMap<>(env);
      e.putAll(more);
      return new Layout(apis, workers, progress, dispatchers, brokers, redisCluster, e);
    }
  }

  private final Path dir;
  private final KafkaProcessCluster kafka;
  private final RedisServer redis;
  private final RedisCluster redisCluster;
  private final Map<String, String> env = new HashMap<>();
  private final List<Service> apis = new ArrayList<>();
  private final List<Integer> apiPorts = new ArrayList<>();
  private final List<Service> workers = new ArrayList<>();
  private final List<Service> progress = new ArrayList<>();
  private final List<Service> dispatchers = new ArrayList<>();
  private final String secret = WebhookSigner.newSecret(new SecureRandom());

  private ChaosCluster(Path dir, Layout layout) {
    this.dir = dir;
    // Three brokers share two cores with nine services: a smaller heap each than a lone broker's.
    this.kafka = KafkaProcessCluster.start(dir, layout.brokers(), layout.brokers() == 1 ? "512m" : "384m");
    try {
      this.redis = layout.redisCluster() ? null : RedisServer.start(dir.resolve("redis"), FreePorts.pick(), "everysec");
      this.redisCluster = layout.redisCluster() ? RedisCluster.start(dir.resolve("redis-cluster"), 3) : null;
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  public static ChaosCluster start(Path dir, Path modelArtifacts, Layout layout) {
    ChaosCluster c = new ChaosCluster(Dirs.create(dir.toAbsolutePath()), layout);
    try {
      c.startInfrastructure(modelArtifacts, layout.env());
      for (int i = 0; i < layout.progress(); i++) {
        c.addProgress();
      }
      for (int i = 0; i < layout.dispatchers(); i++) {
        c.addDispatcher();
      }
      for (int i = 0; i < layout.apis(); i++) {
        c.addApi();
      }
      for (int i = 0; i < layout.workers(); i++) {
        c.addWorker();
      }
      c.awaitApis(Duration.ofMinutes(3));
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void startInfrastructure(Path modelArtifacts, Map<String, String> overrides) {
    // What the topic initialiser chooses for this many brokers: 3 copies and 2 in sync on three.
    Topics topics = Topics.withPrefix("").withRequestPartitions(Integer.parseInt(
        overrides.getOrDefault("REQUEST_TOPIC_PARTITIONS", Integer.toString(Topics.DEFAULT_REQUEST_PARTITIONS))));
    TopicCreator.ensure(kafka.admin(), topics, Replication.forCluster(kafka.size(), Optional.empty(), Optional.empty()));
    env.putAll(ServiceEnv.shared(kafka.bootstrapServers(), redisUrl(), modelArtifacts, secret));
    env.putAll(overrides);
  }

  public Service addApi() {
    int port = FreePorts.pick();
    Map<String, String> e = new HashMap<>(env);
    e.put("API_HOST", "127.0.0.1");
    e.put("API_PORT", Integer.toString(port));
    e.put("API_INSTANCE_ID", "api-" + apis.size());
    Service s = service("producer-api-" + apis.size(), "dev.batchinfer.api.ProducerApiMain", "384m", e);
    apis.add(s);
    apiPorts.add(port);
    return s.start();
  }

  /** Another worker in the consumer group; started at once. */
  public Service addWorker() {
    return addWorker(Map.of(), null);
  }

  /**
   * Another worker with settings on top of the cluster's, on {@code cpus} (null: any); started at once.
   */
  public Service addWorker(Map<String, String> overrides, dev.batchinfer.embedded.proc.CpuSet cpus) {
    Map<String, String> e = new HashMap<>(env);
    e.put("WORKER_ID", "worker-" + workers.size());
    e.putAll(overrides);
    Service s = new Service("gpu-worker-" + workers.size(), "dev.batchinfer.worker.GpuWorkerMain", "512m",
        SERVICE_FLAGS, e, dir, cpus);
    workers.add(s);
    return s.start();
  }

  /** Stops every worker (SIGTERM: each finishes what it holds and leaves the group) and forgets them. */
  public void stopWorkers() {
    workers.parallelStream().forEach(Service::close);
    workers.clear();
  }

  private Service addProgress() {
    Map<String, String> e = new HashMap<>(env);
    e.put("STREAMS_STATE_DIR", Dirs.create(dir.resolve("streams-" + progress.size())).toString());
    Service s = service("result-store-" + progress.size(), "dev.batchinfer.progress.ResultStoreMain", "256m", e);
    progress.add(s);
    return s.start();
  }

  private Service addDispatcher() {
    Service s = service("callback-dispatcher-" + dispatchers.size(), "dev.batchinfer.callback.CallbackDispatcherMain",
        "192m", env);
    dispatchers.add(s);
    return s.start();
  }

  private static final List<String> SERVICE_FLAGS = List.of("-XX:+UseG1GC", "-XX:TieredStopAtLevel=1");

  private Service service(String name, String mainClass, String heap, Map<String, String> e) {
    return new Service(name, mainClass, heap, SERVICE_FLAGS, e, dir);
  }

  /** Waits until every running API instance answers its health check. */
  public void awaitApis(Duration timeout) {
    for (int i = 0; i < apis.size(); i++) {
      if (apis.get(i).isRunning()) {
        Api api = api(i, KEY_A);
        Await.until(timeout, "producer-api-" + i + " healthy", () -> {
          apis.stream().forEach(s -> s.jvm().requireAlive());
          return api.healthy();
        });
      }
    }
  }

  /** Starts every broker that is not running again on its ports and data, and waits until all are registered. */
  public void restartBroker() {
    kafka.startStopped();
  }

  public Api api(int instance, String key) {
    return new Api(apiBase(instance), key);
  }

  /** {@code http://127.0.0.1:port} of an API instance. */
  public String apiBase(int instance) {
    return "http://127.0.0.1:" + apiPorts.get(instance);
  }

  /** The first broker (the only one of a one-broker cluster). */
  public Service broker() {
    return kafka.nodes().get(0);
  }

  public List<Service> brokers() {
    return kafka.nodes();
  }

  /** The Redis server; a cluster with a Redis Cluster has none ({@link #redisCluster()}). */
  public RedisServer redis() {
    if (redis == null) {
      throw new IllegalStateException("this cluster runs a Redis Cluster: use redisCluster()");
    }
    return redis;
  }

  public Optional<RedisCluster> redisCluster() {
    return Optional.ofNullable(redisCluster);
  }

  /** Starts Redis again (every node of a Redis Cluster) where it is not running, and waits until it serves. */
  public void restartRedis() {
    if (redis != null) {
      redis.start();
    } else {
      redisCluster.masters().forEach(RedisServer::start);
      redisCluster.awaitHealthy(Duration.ofMinutes(1));
    }
  }

  /** What REDIS_URL names: the server, or the cluster's nodes. */
  public String redisUrl() {
    return redis != null ? redis.url() : redisCluster.url();
  }

  public List<Service> apis() {
    return List.copyOf(apis);
  }

  public List<Service> workers() {
    return List.copyOf(workers);
  }

  public List<Service> progress() {
    return List.copyOf(progress);
  }

  public List<Service> dispatchers() {
    return List.copyOf(dispatchers);
  }

  /** Every service process (not the broker or Redis). */
  public List<Service> services() {
    List<Service> all = new ArrayList<>(apis);
    all.addAll(workers);
    all.addAll(progress);
    all.addAll(dispatchers);
    return all;
  }

  /** The secret the dispatchers sign webhooks with. */
  public String webhookSecret() {
    return secret;
  }

  /** The brokers, for a test that writes to a topic as another producer would. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public Admin admin() {
    return kafka.admin();
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    List<Service> all = services();
    all.parallelStream().forEach(Service::close);
    kafka.close();
    if (redis != null) {
      redis.close();
    }
    if (redisCluster != null) {
      redisCluster.close();
    }
  }
}
