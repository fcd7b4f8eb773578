package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.ApiClient;
import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Cluster;
import dev.batchinfer.bench.run.CpuMeter;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.Spike;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before any measurement: the cluster answers, and rounds of a batch per model run until the JIT
 * compilers are done with the system's hot paths. On 2 cores, compiling takes a good share of the
 * first large runs (in every process, the broker's too), and the figures are meant to be
 * steady-state ones, as JMH's warm-up makes them.
 */
public final class WarmUp {

  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

  /** The JIT compilers' share of a warm-up round's CPU below which the round counts as quiet. */
  static final double QUIET_JIT_SHARE = 0.10;

  /** What one round cost: the CPU of every process, and of their JIT compilers. */
  public record Round(int round, double cpuSeconds, double jitCpuSeconds) {
    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cpu_seconds", cpuSeconds);
      m.put("jit_cpu_seconds", jitCpuSeconds);
      m.put("round", round);
      return m;
    }
  }

  private WarmUp() {}

  /** Waits up to two minutes for the API to answer healthy; fails at once if a process of the cluster died. */
  public static void awaitHealthy(Runs runs) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!runs.api().healthy()) {
      runs.cluster().requireAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the API did not come up: " + runs.cluster().api().tail(30));
      }
      Pipeline.sleep(250);
    }
  }

  /**
   * A round counts as quiet when the compiler threads used less than {@link #QUIET_JIT_SHARE} of the
   * CPU; after two quiet rounds, or {@code warmUpSeconds}, the measurements start. Also proves every
   * service is up.
   */
  public static List<Round> run(Runs runs, Sizes size) {
    Cluster cluster = runs.cluster();
    int n = size.warmUpItems();
    long deadline = System.nanoTime() + size.warmUpSeconds() * 1_000_000_000L;
    List<Round> rounds = new ArrayList<>();
    int quiet = 0;
    for (int round = 1; quiet < 2 && (round <= 2 || System.nanoTime() < deadline); round++) {
      CpuMeter cpu = cluster.cpuMeter().begin();
      runs.unmeasured("warm-up mlp", Bodies.rawImages(n, 2), n, BenchModels.MLP);
      runs.unmeasured("warm-up trivial", Bodies.trivialBatch(n, 3), n, null);
      runs.unmeasured("warm-up cnn", Bodies.imageBatch(n / 5, 1), n / 5, BenchModels.CNN);
      runs.unmeasured("warm-up cnn, raw", Bodies.rawImages(n / 5, 1), n / 5, BenchModels.CNN);
      burst(runs.api(), Math.max(8, n / 250), Bodies.rawImages(512, 4));
      double total = cpu.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
      double jit = cpu.threadSeconds(Integer.MAX_VALUE).values().stream().flatMap(m -> m.entrySet().stream())
          .filter(e -> e.getKey().contains("CompilerThre")).mapToDouble(Map.Entry::getValue).sum();
      quiet = jit < QUIET_JIT_SHARE * total ? quiet + 1 : 0;
      log.info("warm-up round {}: JIT compilers {} of {} CPU-s", round, Pipeline.round(jit), Pipeline.round(total));
      rounds.add(new Round(round, Pipeline.round(total), Pipeline.round(jit)));
    }
    return rounds;
  }

  /**
   * The spike's submits (512 raw images each) from as many clients as it has, so its paths are warm
   * in every process, the load generator's HTTP client included.
   */
  private static void burst(ApiClient api, int submits, Bodies.Body body) {
    ExecutorService clients = Executors.newFixedThreadPool(Spike.SENDERS);
    try {
      List<Future<ApiClient.Answer>> answers = new ArrayList<>();
      for (int i = 0; i < submits; i++) {
        answers.add(clients.submit(() -> api.submit(body, BenchModels.MLP)));
      }
      List<String> ids = new ArrayList<>();
      for (Future<ApiClient.Answer> a : answers) {
        if (a.get().status() != 202) {
          throw new IllegalStateException("warm-up submit answered " + a.get().status() + ": " + a.get().body());
        }
        ids.add(a.get().text("batch_id"));
      }
      // Drained before the round ends: its work counts in the round's JIT share, not in what comes next.
      for (String id : ids) {
        ApiClient.Answer s = Pipeline.awaitFinal(api, id, () -> { }, 20);
        if (!"completed".equals(s.text("status"))) {
          throw new IllegalStateException("warm-up batch ended " + s.text("status") + ": " + s.body());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("warm-up submit failed", e.getCause());
    } finally {
      clients.shutdownNow();
    }
  }
}
