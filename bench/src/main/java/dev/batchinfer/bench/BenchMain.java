package dev.batchinfer.bench;

import dev.batchinfer.bench.part.P10AllowedSizes;
import dev.batchinfer.bench.part.P8MetricsCost;
import dev.batchinfer.bench.part.P9ScaleOut;
import dev.batchinfer.bench.part.Ceilings;
import dev.batchinfer.bench.part.P1Overhead;
import dev.batchinfer.bench.part.P2PipelineCeiling;
import dev.batchinfer.bench.part.P3DynamicBatching;
import dev.batchinfer.bench.part.P4PerItem;
import dev.batchinfer.bench.part.P5Spike;
import dev.batchinfer.bench.part.P6Memory;
import dev.batchinfer.bench.part.P7LightLoad;
import dev.batchinfer.bench.part.RunSettings;
import dev.batchinfer.bench.part.Runs;
import dev.batchinfer.bench.part.Sizes;
import dev.batchinfer.bench.part.WarmUp;
import dev.batchinfer.bench.part.WorkerPeaks;
import dev.batchinfer.bench.report.BenchReport;
import dev.batchinfer.bench.report.ReportFiles;
import dev.batchinfer.bench.run.ApiClient;
import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Cluster;
import dev.batchinfer.bench.run.Micro;
import dev.batchinfer.bench.run.ProgressWatch;
import dev.batchinfer.bench.run.RedisMemory;
import dev.batchinfer.embedded.proc.CpuSet;
import dev.batchinfer.models.ModelCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark: every measurement of issue #4 in one run, side by side on one machine, written to
 * report.json, report.md and spike.svg. {@code --smoke} runs the same code with tiny sizes (the test
 * suite does, so the harness cannot rot); its numbers mean nothing.
 */
public final class BenchMain {

  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

  /** Command-line options. */
  public record Options(Path out, Path models, boolean smoke, int spikeSeconds, double spikeMultiplier, String apiHeap,
      String workerHeap,
      java.util.Set<String> only, boolean profileAll, Map<String, String> workerEnv, Map<String, String> apiEnv,
      CpuSet inferenceCpus, java.time.Duration p9Call) {

    /** Whether a part (p1 ... p10, micro) is to run; all do unless --only names some. */
    boolean runs(String part) {
      return only.isEmpty() || only.contains(part);
    }

    static Options parse(String[] args) {
      Map<String, String> a = new LinkedHashMap<>();
      for (String arg : args) {
        String[] kv = arg.replaceFirst("^--", "").split("=", 2);
        a.put(kv[0], kv.length > 1 ? kv[1] : "true");
      }
      boolean smoke = Boolean.parseBoolean(a.getOrDefault("smoke", "false"));
      double multiplier = Double.parseDouble(a.getOrDefault("spike-multiplier", "10"));
      if (!(multiplier > P5Spike.BELOW_SATURATION)) {
        throw new IllegalArgumentException("--spike-multiplier must be above " + P5Spike.BELOW_SATURATION
            + " (the smaller spike that runs first), got " + a.get("spike-multiplier"));
      }
      return new Options(Path.of(a.getOrDefault("out", "bench/results")), Path.of(a.getOrDefault("models", "model-artifacts")),
          smoke, Integer.parseInt(a.getOrDefault("spike-seconds", smoke ? "3" : "20")),
          multiplier,
          a.getOrDefault("api-heap", "256m"), a.getOrDefault("worker-heap", "384m"),
          a.containsKey("only") ? java.util.Set.of(a.get("only").split(",")) : java.util.Set.of(),
          a.containsKey("profile-all"), settings(a.getOrDefault("worker-env", "")),
          settings(a.getOrDefault("api-env", "")),
          a.containsKey("inference-cpus") ? CpuSet.parse(a.get("inference-cpus")) : null,
          a.containsKey("p9-call") ? java.time.Duration.ofMillis(Long.parseLong(a.get("p9-call").replace("ms", "")))
              : P9ScaleOut.DEFAULT_CALL_TIME);
    }

    /** "A=1,B=2" as a map. */
    private static Map<String, String> settings(String list) {
      Map<String, String> m = new LinkedHashMap<>();
      for (String kv : list.split(",")) {
        if (kv.contains("=")) {
          m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
      }
      return m;
    }
  }

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    // Ctrl-C or a kill ends the run without unwinding it: stop the child JVMs too, not leave them running.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroy)));
    if (o.only().equals(java.util.Set.of("p9"))) {
      scaleOutAlone(o);
    } else {
      run(o);
    }
    System.exit(0); // Kafka's and Lettuce's non-daemon threads would otherwise keep the JVM up
  }

  /**
   * P9 by itself ({@code --only=p9}): its cluster needs none of the other parts' measurements, so they are not
   * run; writes p9-scale-out.json and p9-scale-out.md beside the full report.
   */
  static void scaleOutAlone(Options o) throws IOException {
    Path work = Files.createTempDirectory("batch-inference-bench-");
    Path artifacts = BenchModels.prepare(o.models(), work.resolve("model-artifacts"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("generated", Instant.now().toString());
    json.put("command", "java -Xmx1g -jar bench/target/bench.jar --only=p9 --p9-call=" + o.p9Call().toMillis() + "ms");
    json.put("machine", Machine.describe());
    json.put("p9_scale_out", P9ScaleOut.run(work, artifacts, o.smoke(), o.p9Call()).json());
    Files.createDirectories(o.out());
    new com.fasterxml.jackson.databind.ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
        .writeValue(o.out().resolve("p9-scale-out.json").toFile(), json);
    Files.writeString(o.out().resolve("p9-scale-out.md"), "# Scale-out (P9)\n\nGenerated " + json.get("generated")
        + " by `" + json.get("command") + "`; machine: " + json.get("machine") + "\n\n"
        + dev.batchinfer.bench.report.Markdown.scaleOut((Map<String, Object>) json.get("p9_scale_out")));
    log.info("P9 report written to {}", o.out().toAbsolutePath());
  }

  /**
   * Runs everything. With --inference-cpus the workers, the bare-model loops and the per-item
   * server run on those CPUs and everything else (this process and what it starts) on the others,
   * until the run ends.
   */
  public static BenchReport run(Options o) throws IOException {
    CpuSet inference = o.inferenceCpus();
    // Described before this process moves to fewer CPUs: the report names the whole machine.
    Map<String, Object> machineDescription = Machine.describe();
    if (inference == null) {
      return measure(o, machineDescription, null);
    }
    CpuSet machine = CpuSet.ofThisProcess();
    if (inference.size() == 0 || !inference.within(machine) || machine.without(inference).size() == 0) {
      throw new IllegalArgumentException("--inference-cpus=" + inference + " must name some but not all of the CPUs "
          + "this process may use (" + machine + ")");
    }
    Throwable failed = null;
    try {
      machine.without(inference).pinThisProcess();
      return measure(o, machineDescription, machine.without(inference));
    } catch (IOException | RuntimeException | Error e) {
      failed = e;
      throw e;
    } finally {
      try {
        machine.pinThisProcess();
      } catch (RuntimeException e) {
        if (failed == null) {
          throw e;
        }
        failed.addSuppressed(e);
      }
    }
  }

  /** @param otherCpus where everything but the model runs when the model has CPUs of its own, else null */
  private static BenchReport measure(Options o, Map<String, Object> machine, CpuSet otherCpus) throws IOException {
    CpuSet inference = o.inferenceCpus();
    long began = System.nanoTime();
    Sizes size = o.smoke() ? Sizes.SMOKE : Sizes.FULL;
    Path work = Files.createTempDirectory("batch-inference-bench-");
    Path artifacts = BenchModels.prepare(o.models(), work.resolve("model-artifacts"));
    ModelCatalog catalog = ModelCatalog.load(artifacts);
    String generated = Instant.now().toString();
    String command = o.smoke() ? "smoke run (test suite): sizes are tiny, numbers mean nothing"
        : "mvn -q -DskipTests package && java -Xmx3g -jar bench/target/bench.jar"
            + (inference != null ? " --inference-cpus=" + inference : "");

    log.info("ceilings: the SavedModels called directly");
    Ceilings.Result ceilings = Ceilings.measure(catalog, artifacts, size, work, inference);
    Map<String, String> tuned = RunSettings.tuned(ceilings.cnn().best(), o.workerEnv());
    RunSettings settings = new RunSettings(o.apiHeap(), o.workerHeap(), tuned, o.apiEnv(),
        RunSettings.chunkMaxItems(o.apiEnv()), o.spikeSeconds(), o.spikeMultiplier(), inference, otherCpus);

    List<WarmUp.Round> warmUp;
    P1Overhead.Result p1;
    P2PipelineCeiling.Result p2 = null;
    P7LightLoad.Result p7 = null;
    P5Spike.Result p5 = null;
    P6Memory.Result p6 = null;
    P3DynamicBatching.Result p3 = null;
    P8MetricsCost.Result p8 = null;
    P10AllowedSizes.Result p10 = null;
    P4PerItem.Result p4 = null;
    List<Map<String, Object>> micro = null;
    try (Cluster cluster = Cluster.start(work, artifacts, o.apiHeap(), o.apiEnv(), inference);
         ProgressWatch watch = new ProgressWatch(cluster.redisUrl());
         RedisMemory redis = new RedisMemory(cluster.redisUrl())) {
      cluster.startWorkers(1, tuned, o.workerHeap());
      Runs runs = new Runs(cluster, new ApiClient(cluster.apiBase(), Cluster.KEY), work, o.profileAll());
      WarmUp.awaitHealthy(runs);
      warmUp = WarmUp.run(runs, size);
      WorkerPeaks peaks = new WorkerPeaks(cluster.workers().get(0));
      peaks.note("start and warm-up");

      // P3, P5, P6 and P7 start from P1's runs; P2 and P8 do not need them.
      p1 = null;
      if (o.runs("p1") || o.runs("p3") || o.runs("p5") || o.runs("p6") || o.runs("p7")) {
        log.info("P1: {} items through the pipeline, CNN and MLP", size.pipelineItems());
        p1 = P1Overhead.run(runs, redis, ceilings, catalog, artifacts, size, inference);
        peaks.note("p1");
      }
      if (o.runs("p2")) {
        log.info("P2: {} items of the trivial model", size.pipelineItems());
        p2 = P2PipelineCeiling.run(runs, size, o.smoke());
        peaks.note("p2");
      }
      if (o.runs("p7")) {
        log.info("P7: interactive calls at light load");
        p7 = P7LightLoad.run(runs.api(), p1.cnn().batchId(), size);
        peaks.note("p7");
      }
      if (o.runs("p5")) {
        log.info("P5: spike at {}x the CNN drain rate for {} s", o.spikeMultiplier(), o.spikeSeconds());
        p5 = P5Spike.run(runs, watch, p1.cnn(), size, o.spikeSeconds(), o.spikeMultiplier());
        peaks.note("p5");
      }
      if (o.runs("p6")) {
        log.info("P6: memory with a {}-item batch", size.memoryItems());
        p6 = P6Memory.run(runs, redis, peaks, p1, size);
      }
      if (o.runs("p2")) {
        // Last of the parts on this cluster, after the measured ones: the profiler's start makes the
        // worker compile again, which would fall into the part that came next.
        log.info("P2: {} items of the trivial model, profiled", size.pipelineItems());
        p2 = p2.withProfile(P2PipelineCeiling.profile(runs, size));
      }
      if (o.runs("p3")) {
        log.info("P3: worker with max batch size 1, MLP");
        p3 = P3DynamicBatching.run(runs, tuned, o.workerHeap(), p1, size);
      }
      if (o.runs("p8")) {
        log.info("P8: the worker's metrics on and off, CNN and trivial model");
        p8 = P8MetricsCost.run(runs, tuned, o.workerHeap(), size);
      }
      if (o.runs("p10")) {
        log.info("P10: the CNN with and without allowed batch sizes {}", P10AllowedSizes.ALLOWED);
        p10 = P10AllowedSizes.run(runs, tuned, o.workerHeap(), artifacts, size);
      }
      cluster.stopWorkers();
      if (o.runs("p4")) {
        log.info("P4: per-item sync serving, one request per item");
        p4 = P4PerItem.run(work, artifacts, p1, size, inference);
      }
      if (o.runs("micro")) {
        log.info("micro-benchmarks (JMH)");
        micro = Micro.run(artifacts, cluster.redisUrl(), o.smoke());
      }
    }
    P9ScaleOut.Result p9 = null;
    if (o.runs("p9")) {
      // A cluster of its own, after the other parts' is gone: three brokers, a Redis Cluster, up to eight workers.
      log.info("P9: scale-out, 1 to 8 workers on a simulated accelerator; the CNN on pinned workers");
      p9 = P9ScaleOut.run(work, artifacts, o.smoke(), o.p9Call());
    }
    BenchReport report = new BenchReport(generated, command, machine, ceilings, settings, warmUp, p1, p2, p7, p5, p6, p3,
        p8, p4, micro, p9, p10, Math.round((System.nanoTime() - began) / 1e9));
    ReportFiles.write(o.out(), report);
    return report;
  }
}
