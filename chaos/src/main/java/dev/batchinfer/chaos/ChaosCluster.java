package dev.batchinfer.chaos;

import dev.batchinfer.api.auth.ApiKeys;
import dev.batchinfer.callback.sign.WebhookSigner;
import dev.batchinfer.chaos.proc.BrokerMain;
import dev.batchinfer.chaos.proc.RedisServer;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * The whole system on one machine, every part an OS process of its own: the Kafka broker (KRaft, from the Apache
 * Kafka artifacts), {@code redis-server} with its AOF, and N instances of the API, the worker, the progress
 * service and the dispatcher, each a JVM with an explicit heap. Faults are made on these processes by pid.
 * Ports are fixed for the cluster's life, so a restarted broker or Redis is found where it was.
 */
public final class ChaosCluster implements AutoCloseable {

  /** Two tenants, so isolation can be checked. */
  public static final String KEY_A = "chaos-key-a";
  public static final String KEY_B = "chaos-key-b";
  public static final String KEY_PREFIX = "chaos:";

  /** How many of each service, and settings on top of the cluster's own. */
  public record Layout(int apis, int workers, int progress, int dispatchers, Map<String, String> env) {
    /** What the chaos suite runs: two API instances, three workers, two progress instances, two dispatchers. */
    public static Layout full() {
      return new Layout(2, 3, 2, 2, Map.of());
    }
  }

  private final Path dir;
  private final int brokerPort;
  private final Service broker;
  private final RedisServer redis;
  private final Map<String, String> env = new HashMap<>();
  private final List<Service> apis = new ArrayList<>();
  private final List<Integer> apiPorts = new ArrayList<>();
  private final List<Service> workers = new ArrayList<>();
  private final List<Service> progress = new ArrayList<>();
  private final List<Service> dispatchers = new ArrayList<>();
  private final String secret = WebhookSigner.newSecret(new SecureRandom());
  private Admin admin;

  private ChaosCluster(Path dir) {
    this.dir = dir;
    this.brokerPort = freePort();
    this.broker = new Service("kafka-broker", BrokerMain.class.getName(), "512m", List.of("-XX:+UseG1GC"),
        Map.of("BROKER_DATA_DIR", mkdirs(dir.resolve("kafka")).toString(), "BROKER_PORT", Integer.toString(brokerPort)),
        dir);
    this.redis = RedisServer.start(dir.resolve("redis"), freePort(), "everysec");
  }

  public static ChaosCluster start(Path dir, Path modelArtifacts, Layout layout) {
    ChaosCluster c = new ChaosCluster(mkdirs(dir.toAbsolutePath()));
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
    broker.start();
    String bootstrap = "127.0.0.1:" + brokerPort;
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000"));
    awaitBroker(Duration.ofMinutes(2));
    TopicCreator.ensure(admin, Topics.withPrefix(""), (short) 1);
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    // Short enough that an outage turns into retries within seconds, long enough for a loaded 2-core machine.
    env.put("REDIS_URL", redis.url() + "?timeout=3s");
    env.put("REDIS_KEY_PREFIX", KEY_PREFIX);
    env.put("MODEL_ARTIFACTS", modelArtifacts.toAbsolutePath().toString());
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    env.put("TF_INTRA_OP_THREADS", "1");
    env.put("METRICS_PORT", "0"); // many services on one machine: each takes a free management port
    env.put("TF_INTER_OP_THREADS", "1");
    env.put("API_KEYS", ApiKeys.entry("tenant-a", false, KEY_A) + "," + ApiKeys.entry("tenant-b", false, KEY_B));
    env.put("RATE_REQUESTS_PER_SECOND", "1000");
    // Low enough that one tenant's flood meets its quota (scenario 20), high enough for every other scenario.
    env.put("MAX_QUEUED_ITEMS", "60000");
    // Below the 70 MB body of the oversize scenario (18-19), far above any batch the load sends (about 11 MB).
    env.put("MAX_REQUEST_MB", "64");
    env.put("WEBHOOK_SECRETS", secret);
    env.put("CALLBACK_ALLOW_HTTP", "true");
    env.put("CALLBACK_ALLOWED_CIDRS", "127.0.0.0/8");
    env.put("CALLBACK_RETRY_SCHEDULE", "0s,1s,2s,4s,8s,15s,30s,60s");
    env.put("CALLBACK_TIMEOUT", "3s");
    env.putAll(overrides);
  }

  public Service addApi() {
    int port = freePort();
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
    Map<String, String> e = new HashMap<>(env);
    e.put("WORKER_ID", "worker-" + workers.size());
    Service s = service("gpu-worker-" + workers.size(), "dev.batchinfer.worker.GpuWorkerMain", "512m", e);
    workers.add(s);
    return s.start();
  }

  private Service addProgress() {
    Map<String, String> e = new HashMap<>(env);
    e.put("STREAMS_STATE_DIR", mkdirs(dir.resolve("streams-" + progress.size())).toString());
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

  private Service service(String name, String mainClass, String heap, Map<String, String> e) {
    return new Service(name, mainClass, heap, List.of("-XX:+UseG1GC", "-XX:TieredStopAtLevel=1"), e, dir);
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

  /** Waits until the broker answers a metadata request (after a start or a restart). */
  public void awaitBroker(Duration timeout) {
    Await.until(timeout, "the Kafka broker answers", () -> {
      broker.jvm().requireAlive();
      try {
        return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS).isEmpty();
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  /** Starts the broker again on its port and data, and waits for it. */
  public void restartBroker() {
    broker.start();
    awaitBroker(Duration.ofMinutes(2));
  }

  public Api api(int instance, String key) {
    return new Api("http://127.0.0.1:" + apiPorts.get(instance), key);
  }

  public Service broker() {
    return broker;
  }

  public RedisServer redis() {
    return redis;
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

  /** The broker, for a test that writes to a topic as another producer would. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public Admin admin() {
    return admin;
  }

  public Path dir() {
    return dir;
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    List<Service> all = services();
    all.parallelStream().forEach(Service::close);
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    broker.close();
    redis.close();
  }
}
