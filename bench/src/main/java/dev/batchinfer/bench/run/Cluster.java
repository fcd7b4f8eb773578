package dev.batchinfer.bench.run;

import dev.batchinfer.embedded.FreePorts;
import dev.batchinfer.embedded.proc.ChildJvm;
import dev.batchinfer.embedded.proc.BrokerMain;
import dev.batchinfer.embedded.proc.CpuSet;
import dev.batchinfer.embedded.proc.Dirs;

import dev.batchinfer.api.auth.ApiKeys;
import dev.batchinfer.embedded.RedisEndpoint;
import dev.batchinfer.embedded.RedisLocator;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The system as it runs in production, on one machine: the Kafka broker, the API, the progress
 * service and the workers each in a JVM of their own with an explicit heap, and Redis.
 */
public final class Cluster implements AutoCloseable {

  public static final String KEY = "bench-key";
  /** Every Redis key the system writes in a benchmark starts with this. */
  public static final String KEY_PREFIX = "bench:";
  /** The workers' scheduling niceness: see {@link #startWorkers}. */
  public static final int WORKER_NICENESS = 10;
  /**
   * G1 regions large enough that a chunk is not a humongous object. With the default 1 MB regions
   * every array over 512 KB is one: a chunk of 1,000 images (784 KB), its Kafka record, and the
   * worker's fetch responses (up to 2 MB a partition). Each humongous allocation can start a
   * concurrent mark, and with one or more per request the marking takes a large share of the API's
   * CPU. The broker's produce requests are as large. The same flags are in docker-compose.yml.
   */
  public static final List<String> CHUNK_SIZED_REGIONS = List.of("-XX:+UseG1GC", "-XX:G1HeapRegionSize=4m");
  public static final List<String> FETCH_SIZED_REGIONS = List.of("-XX:+UseG1GC", "-XX:G1HeapRegionSize=8m");

  private final Path dir;
  private final ChildJvm kafka;
  private final RedisEndpoint redis;
  private final Admin admin;
  private final Map<String, String> env;
  private final Topics topics;
  private final List<ChildJvm> workers = new ArrayList<>();
  private ChildJvm api;
  private ChildJvm progress;
  private int apiPort;
  private CpuSet inferenceCpus;

  private Cluster(Path dir, ChildJvm kafka, String bootstrapServers, RedisEndpoint redis, Map<String, String> env) {
    this.dir = dir;
    this.kafka = kafka;
    this.redis = redis;
    this.env = env;
    this.topics = Topics.withPrefix("");
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /**
   * Kafka and Redis, the topics, the progress service and the API; workers come separately.
   *
   * @param apiSettings the API's environment on top of the benchmark's (--api-env)
   * @param inferenceCpus where the workers run (the rest of the cluster runs where this process does), or
   *     null for anywhere
   */
  public static Cluster start(Path dir, Path modelArtifacts, String apiHeap, Map<String, String> apiSettings,
      CpuSet inferenceCpus) {
    ChildJvm kafka = ChildJvm.start("kafka-broker", BrokerMain.class.getName(), "1g", CHUNK_SIZED_REGIONS,
        Map.of("BROKER_DATA_DIR", Dirs.create(dir.resolve("kafka")).toString(), "BROKER_PORT", Integer.toString(FreePorts.pick())),
        dir, 0, null);
    String bootstrapServers;
    RedisEndpoint redis;
    try {
      bootstrapServers = kafka.awaitLine(BrokerMain.READY, Duration.ofSeconds(90));
      redis = RedisLocator.locate(Optional.ofNullable(System.getenv("REDIS_URL")));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    env.put("REDIS_URL", redis.url());
    env.put("REDIS_KEY_PREFIX", KEY_PREFIX);
    env.put("MODEL_ARTIFACTS", modelArtifacts.toString());
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    env.put("METRICS_PORT", "0"); // many services on one machine: each takes a free management port
    env.put("API_KEYS", ApiKeys.entry("bench", true, KEY));
    // The benchmark is its own only client: the per-tenant limits would otherwise be what it measures.
    env.put("RATE_REQUESTS_PER_SECOND", "1000000");
    env.put("RATE_ITEMS_PER_SECOND", "100000000");
    env.put("MAX_QUEUED_ITEMS", "100000000");
    env.put("MAX_BATCH_ITEMS", "2000000");
    env.put("MAX_REQUEST_MB", "1024");
    env.put("RESULTS_RETENTION", "2h");
    env.put("STREAMS_STATE_DIR", Dirs.create(dir.resolve("streams")).toString());
    Cluster c = new Cluster(dir, kafka, bootstrapServers, redis, env);
    c.inferenceCpus = inferenceCpus;
    try {
      TopicCreator.ensure(c.admin, c.topics, (short) 1);
      c.progress = ChildJvm.start("result-store", "dev.batchinfer.progress.ResultStoreMain", "256m", env, dir);
      c.apiPort = FreePorts.pick();
      Map<String, String> apiEnv = new HashMap<>(env);
      apiEnv.put("API_HOST", "127.0.0.1");
      apiEnv.put("API_PORT", Integer.toString(c.apiPort));
      apiEnv.putAll(apiSettings);
      c.api = ChildJvm.start("producer-api", "dev.batchinfer.api.ProducerApiMain", apiHeap, CHUNK_SIZED_REGIONS, apiEnv, dir, 0,
          null);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Starts {@code count} workers with the given settings on top of the defaults. */
  public void startWorkers(int count, Map<String, String> settings, String heap) {
    for (int i = 0; i < count; i++) {
      Map<String, String> workerEnv = new HashMap<>(env);
      workerEnv.putAll(settings);
      workerEnv.put("WORKER_ID", "bench-worker-" + workers.size());
      // Batch work yields the CPU to the API and the broker: on shared cores intake stays responsive
      // and the workers take every cycle left over.
      workers.add(ChildJvm.start("gpu-worker-" + workers.size(), "dev.batchinfer.worker.GpuWorkerMain", heap, FETCH_SIZED_REGIONS,
          workerEnv, dir, WORKER_NICENESS, inferenceCpus));
    }
  }

  public void stopWorkers() {
    workers.forEach(ChildJvm::close);
    workers.clear();
  }

  public List<ChildJvm> workers() {
    return List.copyOf(workers);
  }

  /** Where the services keep their logs and recordings. */
  public Path dir() {
    return dir;
  }

  public ChildJvm api() {
    return api;
  }

  /**
   * Measures with the services frozen, so that a measurement made beside the cluster gets the CPU
   * to itself: an idle cluster still compiles, collects and polls. The broker and the shared Redis
   * keep running; with their clients frozen they have nothing to do.
   */
  public <T> T frozenDuring(java.util.function.Supplier<T> measurement) {
    List<ChildJvm> services = new ArrayList<>(workers);
    services.add(api);
    services.add(progress);
    services.forEach(s -> s.freeze(true));
    try {
      return measurement.get();
    } finally {
      services.forEach(s -> s.freeze(false));
    }
  }

  public void requireAlive() {
    kafka.requireAlive();
    api.requireAlive();
    progress.requireAlive();
    workers.forEach(ChildJvm::requireAlive);
  }

  public String apiBase() {
    return "http://127.0.0.1:" + apiPort;
  }

  public String redisUrl() {
    return redis.url();
  }

  /** CPU time of every process of the system: the broker, the services, this JVM (load generator), an embedded Redis. */
  public CpuMeter cpuMeter() {
    CpuMeter cpu = new CpuMeter().watch("producer-api", api.pid()).watch("result-store", progress.pid());
    workers.forEach(w -> cpu.watch(w.name(), w.pid()));
    cpu.watch("kafka-broker", kafka.pid());
    cpu.watch("bench JVM (load generator)", ProcessHandle.current().pid());
    ProcessHandle.current().children().filter(h -> h.info().command().orElse("").contains("redis"))
        .forEach(h -> cpu.watch("redis-server", h.pid()));
    return cpu;
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
    stopWorkers();
    if (progress != null) {
      progress.close();
    }
    admin.close();
    redis.close();
    kafka.close();
    // A full run leaves 2-4 GB of Kafka logs: gone with the cluster, so repeated runs do not fill
    // the disk. The processes' logs and recordings stay in dir.
    for (String data : new String[] {"kafka", "streams"}) {
      try {
        org.apache.kafka.common.utils.Utils.delete(dir.resolve(data).toFile());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the cluster's " + data + " data in " + dir, e);
      }
    }
  }
}
