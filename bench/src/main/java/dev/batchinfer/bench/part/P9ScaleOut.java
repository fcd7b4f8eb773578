package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.ApiClient;
import dev.batchinfer.bench.run.Backlog;
import dev.batchinfer.chaos.Await;
import dev.batchinfer.chaos.ChaosCluster;
import dev.batchinfer.embedded.proc.CpuSet;
import dev.batchinfer.embedded.proc.Service;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.GroupState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * P9: scale-out. On the multi-process cluster of the chaos suite with three brokers and a three-master Redis
 * Cluster, 1, 2, 4 and 8 worker processes drain a backlog of the trivial model on a simulated accelerator (every
 * call takes the same time, {@link #DEFAULT_CALL_TIME} unless {@code --p9-call} says otherwise, for up to
 * {@link #MAX_BATCH} items, one at a time per worker, as on one GPU each: the CPUs stay free for the rest of the
 * pipeline). Throughput is items over first submit to last completion; scaling
 * efficiency is throughput / (N x one worker's). The request topics start with {@link #FEW_PARTITIONS}
 * partitions, so the run also shows 8 workers capped by 4 partitions, then raised to {@link #MANY_PARTITIONS}.
 * Last, the real CNN with one worker and then two, each pinned to a CPU of its own.
 */
public final class P9ScaleOut {

  private static final Logger log = LoggerFactory.getLogger(P9ScaleOut.class);

  public static final Duration DEFAULT_CALL_TIME = Duration.ofMillis(40);
  static final int MAX_BATCH = 256;
  static final int FEW_PARTITIONS = 4;
  static final int MANY_PARTITIONS = 16;
  private static final String GROUP = "gpu-worker";

  /** One measured drain: {@code items} through {@code workers} workers on {@code partitions} per request topic. */
  public record Point(int workers, int partitions, long items, double seconds) {
    public double itemsPerSecond() {
      return items / seconds;
    }

    Map<String, Object> json(double oneWorker) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workers", workers);
      m.put("partitions", partitions);
      m.put("items", items);
      m.put("seconds", Math.round(seconds * 100) / 100.0);
      m.put("items_per_second", Math.round(itemsPerSecond()));
      m.put("efficiency", Figures.ratio(itemsPerSecond(), workers * oneWorker));
      return m;
    }
  }

  /**
   * @param simulated 1, 2, 4, 8 workers on enough partitions; {@code capped} 8 workers on too few
   * @param cnn the CNN with one pinned worker, then two
   */
  public record Result(int brokers, boolean redisCluster, Duration callTime, List<Point> simulated, Point capped,
      List<Point> cnn) {

    /** Throughput of {@code p} over N times the first point's (one worker). */
    public double efficiency(Point p) {
      return Figures.ratio(p.itemsPerSecond(), p.workers() * simulated.get(0).itemsPerSecond());
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("brokers", brokers);
      m.put("redis_cluster", redisCluster);
      m.put("simulated_call_ms", callTime.toMillis());
      m.put("simulated_max_batch", MAX_BATCH);
      double one = simulated.get(0).itemsPerSecond();
      m.put("simulated", simulated.stream().map(p -> p.json(one)).toList());
      for (Point p : simulated) {
        m.put("efficiency_" + p.workers(), efficiency(p));
      }
      m.put("capped_by_partitions", capped.json(one));
      double cnnOne = cnn.get(0).itemsPerSecond();
      m.put("cnn_pinned", cnn.stream().map(p -> p.json(cnnOne)).toList());
      m.put("cnn_two_over_one", cnn.size() < 2 ? null : Figures.ratio(cnn.get(1).itemsPerSecond(), cnnOne));
      return m;
    }
  }

  private P9ScaleOut() {}

  public static Result run(Path work, Path artifacts, boolean smoke, Duration callTime) {
    // The smoke run keeps the code path on the smallest cluster: one broker, one Redis, two workers.
    int brokers = smoke ? 1 : 3;
    boolean redisCluster = !smoke;
    List<Integer> counts = smoke ? List.of(1, 2) : List.of(1, 2, 4, 8);
    // One worker's drain at full batches, times the seconds each point should last.
    long perWorker = smoke ? 2_000 : Math.round(MAX_BATCH * 1000.0 / callTime.toMillis() * 20);
    Map<String, String> env = new HashMap<>();
    env.put("SIMULATED_ACCELERATOR_CALL", callTime.toMillis() + "ms");
    env.put("WORKER_MAX_BATCH_SIZE", Integer.toString(MAX_BATCH));
    env.put("REQUEST_TOPIC_PARTITIONS", Integer.toString(FEW_PARTITIONS));
    env.put("MAX_QUEUED_ITEMS", "100000000");
    ChaosCluster.Layout layout = new ChaosCluster.Layout(1, 1, 1, 0, brokers, redisCluster, env);
    try (ChaosCluster cluster = ChaosCluster.start(work.resolve("p9"), artifacts, layout)) {
      ApiClient api = new ApiClient(cluster.apiBase(0), ChaosCluster.KEY_A);
      List<Point> simulated = new ArrayList<>();
      Point capped = null;
      int partitions = FEW_PARTITIONS;
      for (int n : counts) {
        while (cluster.workers().size() < n) {
          cluster.addWorker();
        }
        awaitGroup(cluster, n);
        // Unmeasured first: the new workers' first calls, and at the start the API's and brokers' JIT.
        drain(api, n, partitions, perWorker * n / 4, Backlog.TRIVIAL);
        if (n > partitions) {
          capped = drain(api, n, partitions, perWorker * n, Backlog.TRIVIAL);
          log.info("P9: {} workers on {} partitions: {} items/s", n, partitions, Math.round(capped.itemsPerSecond()));
          morePartitions(cluster);
          partitions = MANY_PARTITIONS;
          drain(api, n, partitions, perWorker * n / 4, Backlog.TRIVIAL); // the restarted ones' first calls
        }
        Point p = drain(api, n, partitions, perWorker * n, Backlog.TRIVIAL);
        log.info("P9: {} workers: {} items/s", n, Math.round(p.itemsPerSecond()));
        simulated.add(p);
      }
      if (capped == null) {
        capped = simulated.get(simulated.size() - 1);
      }
      List<Point> cnn = cnnPinned(cluster, api, partitions, smoke ? 500 : 30_000);
      return new Result(brokers, redisCluster, callTime, simulated, capped, cnn);
    }
  }

  /** The CNN, no simulation: one worker pinned to the last CPU, then a second pinned to the first. */
  private static List<Point> cnnPinned(ChaosCluster cluster, ApiClient api, int partitions, int perWorker) {
    cluster.stopWorkers();
    CpuSet all = CpuSet.ofThisProcess();
    List<Integer> cpus = all.cpus().stream().boxed().toList();
    Map<String, String> real = Map.of("SIMULATED_ACCELERATOR_CALL", "0ms");
    List<Point> points = new ArrayList<>();
    for (int n = 1; n <= Math.min(2, cpus.size()); n++) {
      int cpu = cpus.get(cpus.size() - n);
      cluster.addWorker(real, CpuSet.parse(Integer.toString(cpu)));
      awaitGroup(cluster, n);
      drain(api, n, partitions, perWorker / 4, Backlog.IMAGES); // the new worker's first calls, unmeasured
      Point p = drain(api, n, partitions, (long) perWorker * n, Backlog.IMAGES);
      log.info("P9: CNN, {} pinned workers: {} images/s", n, Math.round(p.itemsPerSecond()));
      points.add(p);
    }
    return points;
  }

  /** Makes every request topic {@link #MANY_PARTITIONS} wide and restarts the API and the workers to see it at once. */
  private static void morePartitions(ChaosCluster cluster) {
    Map<String, NewPartitions> more = new HashMap<>();
    for (Priority p : Priority.values()) {
      more.put(Topics.withPrefix("").requests(p).name(), NewPartitions.increaseTo(MANY_PARTITIONS));
    }
    try {
      cluster.admin().createPartitions(more).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot add partitions", e);
    }
    // Clients learn of new partitions at their next metadata refresh (minutes); a restart learns at once.
    List<Service> restart = new ArrayList<>(cluster.apis());
    restart.addAll(cluster.workers());
    restart.parallelStream().forEach(s -> s.restartWith(Map.of()));
    cluster.awaitApis(Duration.ofMinutes(2));
    awaitGroup(cluster, cluster.workers().size());
  }

  private static void awaitGroup(ChaosCluster cluster, int members) {
    Await.until(Duration.ofMinutes(3), members + " workers in the group, stable", () -> {
      cluster.workers().forEach(w -> w.jvm().requireAlive());
      try {
        ConsumerGroupDescription g = cluster.admin().describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
        return g.members().size() == members && g.groupState() == GroupState.STABLE;
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  private static Point drain(ApiClient api, int workers, int partitions, long items, Backlog.Shape shape) {
    Backlog.Drained d = Backlog.drain(api, items, shape);
    return new Point(workers, partitions, d.items(), d.seconds());
  }
}
