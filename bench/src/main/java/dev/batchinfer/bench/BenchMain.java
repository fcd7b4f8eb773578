package dev.batchinfer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.batchinfer.bench.report.Markdown;
import dev.batchinfer.bench.report.SpikePlot;
import dev.batchinfer.bench.run.ApiClient;
import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Ceiling;
import dev.batchinfer.chaos.proc.CpuSet;
import dev.batchinfer.chaos.proc.ChildJvm;
import dev.batchinfer.bench.run.Cluster;
import dev.batchinfer.bench.run.CpuMeter;
import dev.batchinfer.bench.run.Latencies;
import dev.batchinfer.bench.run.Micro;
import dev.batchinfer.bench.run.PerItemLoad;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.Profiler;
import dev.batchinfer.bench.run.ProgressWatch;
import dev.batchinfer.bench.run.RedisMemory;
import dev.batchinfer.bench.run.Spike;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark: every measurement of issue #4 in one run, side by side on one machine, written to
 * report.json, report.md and spike.svg. {@code --smoke} runs the same code with tiny sizes (the test
 * suite does, so the harness cannot rot); its numbers mean nothing.
 */
public final class BenchMain {

  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

  /** How big each measurement is. */
  public record Sizes(int warmUpItems, int warmUpSeconds, int repeats, int pipelineItems, int batchOfOneItems, long perItemMillis, int spikeBatchItems,
      int memoryItems, long ceilingMillis, int lightProbes) {
    static final Sizes FULL = new Sizes(100_000, 90, 5, 100_000, 20_000, 15_000, 512, 1_000_000, 1500, 200);
    static final Sizes SMOKE = new Sizes(256, 0, 1, 2_000, 300, 1_500, 256, 5_000, 150, 10);
  }

  /** Command-line options. */
  public record Options(Path out, Path models, boolean smoke, int spikeSeconds, double spikeMultiplier, String apiHeap,
      String workerHeap,
      java.util.Set<String> only, boolean profileAll, Map<String, String> workerEnv, Map<String, String> apiEnv,
      CpuSet inferenceCpus) {

    /** Whether a part (p1 ... p7, micro) is to run; all do unless --only names some. */
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
      if (!(multiplier > BELOW_SATURATION)) {
        throw new IllegalArgumentException("--spike-multiplier must be above " + BELOW_SATURATION
            + " (the smaller spike that runs first), got " + a.get("spike-multiplier"));
      }
      return new Options(Path.of(a.getOrDefault("out", "bench/results")), Path.of(a.getOrDefault("models", "model-artifacts")),
          smoke, Integer.parseInt(a.getOrDefault("spike-seconds", smoke ? "3" : "20")),
          multiplier,
          a.getOrDefault("api-heap", "256m"), a.getOrDefault("worker-heap", "384m"),
          a.containsKey("only") ? java.util.Set.of(a.get("only").split(",")) : java.util.Set.of(),
          a.containsKey("profile-all"), settings(a.getOrDefault("worker-env", "")),
          settings(a.getOrDefault("api-env", "")),
          a.containsKey("inference-cpus") ? CpuSet.parse(a.get("inference-cpus")) : null);
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
    run(o);
    System.exit(0); // Kafka's and Lettuce's non-daemon threads would otherwise keep the JVM up
  }

  /**
   * Runs everything. With --inference-cpus the workers, the bare-model loops and the per-item
   * server run on those CPUs and everything else (this process and what it starts) on the others,
   * until the run ends.
   */
  public static Map<String, Object> run(Options o) throws IOException {
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
  private static Map<String, Object> measure(Options o, Map<String, Object> machine, CpuSet otherCpus)
      throws IOException {
    CpuSet inference = o.inferenceCpus();
    long began = System.nanoTime();
    Sizes size = o.smoke() ? Sizes.SMOKE : Sizes.FULL;
    Path work = Files.createTempDirectory("batch-inference-bench-");
    Path artifacts = BenchModels.prepare(o.models(), work.resolve("model-artifacts"));
    ModelCatalog catalog = ModelCatalog.load(artifacts);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("generated", Instant.now().toString());
    report.put("command", o.smoke() ? "smoke run (test suite): sizes are tiny, numbers mean nothing"
        : "mvn -q -DskipTests package && java -Xmx3g -jar bench/target/bench.jar"
            + (inference != null ? " --inference-cpus=" + inference : ""));
    report.put("machine", machine);

    log.info("ceilings: the SavedModels called directly");
    Map<String, Ceiling.Result> ceilings = new LinkedHashMap<>();
    int[] sizes = o.smoke() ? new int[] {64, 256} : new int[] {32, 128, 256, 512};
    ceilings.put("cnn", Ceiling.measure(catalog.find(BenchModels.FASHION, BenchModels.CNN).orElseThrow(), artifacts, sizes,
        size.ceilingMillis(), work, inference));
    ceilings.put("mlp", Ceiling.measure(catalog.find(BenchModels.FASHION, BenchModels.MLP).orElseThrow(), artifacts, sizes,
        size.ceilingMillis(), work, inference));
    ceilings.put("trivial", Ceiling.measure(catalog.find(BenchModels.TRIVIAL, BenchModels.TRIVIAL_VERSION).orElseThrow(),
        artifacts, o.smoke() ? new int[] {256} : new int[] {256, 1024, 4096}, size.ceilingMillis(), work, inference));
    Map<String, Object> ceilingJson = new LinkedHashMap<>();
    ceilings.forEach((k, v) -> ceilingJson.put(k, v.json()));
    report.put("ceilings", ceilingJson);
    // The MLP at one item per call, for P3's context: the model's own gain from batching.
    ceilingJson.put("mlp_batch_of_one_items_per_second", Math.round(Ceiling.measure(
        catalog.find(BenchModels.FASHION, BenchModels.MLP).orElseThrow(), artifacts, new int[] {1}, size.ceilingMillis(), work,
        inference).best().itemsPerSecond()));

    Ceiling.Point cnnBest = ceilings.get("cnn").best();
    Map<String, String> tuned = new LinkedHashMap<>();
    tuned.put("WORKER_INFERENCE_THREADS", Integer.toString(cnnBest.callers()));
    tuned.put("TF_INTRA_OP_THREADS", Integer.toString(cnnBest.intraOpThreads()));
    tuned.put("TF_INTER_OP_THREADS", Integer.toString(cnnBest.interOpThreads()));
    // The batch size is the ceiling's too: past the caches' size a CNN runs slower per image (here
    // about a fifth slower at 512 than at 128), so a larger batch is not a better one.
    tuned.put("WORKER_MAX_BATCH_SIZE", Integer.toString(cnnBest.batchSize()));
    tuned.put("WORKER_MAX_QUEUE_DELAY", "5ms");
    tuned.putAll(o.workerEnv());
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("api_max_heap", o.apiHeap());
    settings.put("worker_max_heap", o.workerHeap());
    settings.put("worker_settings_tuned", tuned);
    settings.put("api_settings", o.apiEnv());
    settings.put("chunk_max_items", Integer.parseInt(o.apiEnv().getOrDefault("CHUNK_MAX_ITEMS",
        Integer.toString(dev.batchinfer.api.ApiSettings.DEFAULT_CHUNK_MAX_ITEMS))));
    settings.put("spike_seconds", o.spikeSeconds());
    settings.put("spike_multiplier", o.spikeMultiplier());
    if (inference != null) {
      settings.put("inference_cpus", inference.toString());
      settings.put("other_cpus", otherCpus.toString());
    }
    report.put("settings", settings);

    try (Cluster cluster = Cluster.start(work, artifacts, o.apiHeap(), o.apiEnv(), inference);
         ProgressWatch watch = new ProgressWatch(cluster.redisUrl());
         RedisMemory redis = new RedisMemory(cluster.redisUrl())) {
      cluster.startWorkers(1, tuned, o.workerHeap());
      ApiClient api = new ApiClient(cluster.apiBase(), Cluster.KEY);
      awaitHealthy(api, cluster);
      report.put("warm_up_rounds", warmUp(api, cluster, size));
      // The worker's peak RSS part by part: which part sets the whole run's peak.
      Map<String, Long> workerPeaks = new LinkedHashMap<>();
      ChildJvm worker = cluster.workers().get(0);
      notePeak(workerPeaks, "start and warm-up", worker);
      Runs runs = new Runs(cluster, api, work, o.profileAll());

      log.info("P1: {} items through the pipeline, CNN and MLP", size.pipelineItems());
      long redisBefore = redis.usedBytes();
      // Each CNN run is set against the mean of the ceilings measured just before and just after it,
      // with the cluster frozen (an idle cluster still compiles, collects and polls): the bare loop's
      // own speed drifts by up to a fifth within a minute on a shared VM, and a ceiling on one side
      // only would carry that drift into the ratio.
      List<Pipeline.Run> cnnRuns = new ArrayList<>();
      List<Double> pairedRatios = new ArrayList<>();
      List<Double> pairedWorkerRatios = new ArrayList<>();
      Bodies.Body cnnBody = Bodies.rawImages(size.pipelineItems(), 11);
      ModelConfig cnnModel = catalog.find(BenchModels.FASHION, BenchModels.CNN).orElseThrow();
      java.util.function.Supplier<Double> ceilingAgain = () -> cluster.frozenDuring(
          () -> Ceiling.again(cnnModel, artifacts, cnnBest, size.ceilingMillis(), work, inference));
      List<Double> ceilingsBetween = new ArrayList<>(List.of(ceilingAgain.get()));
      for (int i = 0; i < size.repeats(); i++) {
        Pipeline.Run run = runs.measure("cnn, raw upload", cnnBody, size.pipelineItems(), BenchModels.CNN);
        ceilingsBetween.add(ceilingAgain.get());
        double around = (ceilingsBetween.get(i) + ceilingsBetween.get(i + 1)) / 2;
        cnnRuns.add(run);
        pairedRatios.add(ratio(run.itemsPerSecond(), around));
        pairedWorkerRatios.add(ratio(run.workerItemsPerSecond(), around));
      }
      long cnnRedisBytes = (redis.usedBytes() - redisBefore) / size.repeats();
      // The same images as JSON with base64 inputs, once and paired alike: what the upload format costs.
      Pipeline.Run cnnJson = runs.measure("cnn, JSON upload", Bodies.imageBatch(size.pipelineItems(), 11),
          size.pipelineItems(), BenchModels.CNN);
      double ceilingAfterJson = ceilingAgain.get();
      double aroundJson = (ceilingsBetween.get(size.repeats()) + ceilingAfterJson) / 2;
      List<Pipeline.Run> mlpRuns = runs.repeat(size.repeats(), "mlp, raw upload", Bodies.rawImages(size.pipelineItems(), 12),
          size.pipelineItems(), BenchModels.MLP);
      Pipeline.Run cnn = median(cnnRuns, Pipeline.Run::itemsPerSecond);
      Pipeline.Run mlp = median(mlpRuns, Pipeline.Run::itemsPerSecond);
      Map<String, Object> p1 = new LinkedHashMap<>();
      p1.put("cnn", withRepeats(cnn, cnnRuns));
      p1.put("mlp", withRepeats(mlp, mlpRuns));
      p1.put("cnn_ratio_to_ceiling", ratio(cnn.itemsPerSecond(), cnnBest.itemsPerSecond()));
      p1.put("cnn_ceilings_between_runs", ceilingsBetween.stream().map(Math::round).toList());
      p1.put("cnn_paired_ratios", pairedRatios);
      p1.put("cnn_paired_ratio_median", median(pairedRatios));
      p1.put("cnn_worker_paired_ratios", pairedWorkerRatios);
      p1.put("cnn_worker_paired_ratio_median", median(pairedWorkerRatios));
      p1.put("cnn_json", cnnJson.json());
      p1.put("cnn_json_ceiling_again_after", Math.round(ceilingAfterJson));
      p1.put("cnn_json_paired_ratio", ratio(cnnJson.itemsPerSecond(), aroundJson));
      p1.put("mlp_ratio_to_ceiling", ratio(mlp.itemsPerSecond(), ceilings.get("mlp").best().itemsPerSecond()));
      report.put("p1_overhead", p1);
      notePeak(workerPeaks, "p1", worker);

      Map<String, Object> p2 = new LinkedHashMap<>();
      if (o.runs("p2")) {
        log.info("P2: {} items of the trivial model", size.pipelineItems());
        p2.put("run", runs.measure("trivial", Bodies.trivialBatch(size.pipelineItems(), 21), size.pipelineItems(), null)
            .json());
        report.put("p2_pipeline_ceiling", p2);
        notePeak(workerPeaks, "p2", worker);
      }
      if (o.runs("p7")) {
        log.info("P7: interactive calls at light load");
        report.put("p7_light", lightLoad(api, cnn.batchId(), size));
        notePeak(workerPeaks, "p7", worker);
      }
      if (o.runs("p5")) {
        log.info("P5: spike at {}x the CNN drain rate for {} s", o.spikeMultiplier(), o.spikeSeconds());
        report.put("p5_spike", spike(api, watch, cnn, size, o, cluster));
        notePeak(workerPeaks, "p5", worker);
      }
      if (o.runs("p6")) {
        log.info("P6: memory with a {}-item batch", size.memoryItems());
        Map<String, Object> p6 = new LinkedHashMap<>();
        long before = redis.usedBytes();
        Pipeline.Run big = runs.measure("memory", Bodies.trivialBatch(size.memoryItems(), 14), size.memoryItems(), null);
        p6.put("batch", big.json());
        p6.put("redis_bytes_per_result_trivial", Math.round((redis.usedBytes() - before) / (double) size.memoryItems()));
        p6.put("redis_bytes_per_result_cnn_top3", Math.round(cnnRedisBytes / (double) size.pipelineItems()));
        p6.put("api", heap(cluster.api()));
        p6.put("worker", heap(worker)); // its peak_rss_mb: since the part before P6 ended
        notePeak(workerPeaks, "p6", worker);
        p6.put("worker_peak_rss_mb", workerPeaks.values().stream().mapToLong(Long::longValue).max().orElseThrow());
        p6.put("worker_peak_rss_mb_by_part", workerPeaks);
        p6.put("worker_rss_now_mb", mb(worker.rssBytes()));
        report.put("p6_memory", p6);
      }
      if (o.runs("p2")) {
        // Last of the parts on this cluster, after the measured ones: in the two full runs that
        // profiled before P5 the worker's compilers took 4.9 and 7.2 CPU-s of the spike's 20 s,
        // against 0.2-0.5 in six P5-only runs (which skip P2 and P7's light load). A recorder's start
        // retransforms the JDK's I/O classes for its events, and code compiled against them is redone.
        log.info("P2: {} items of the trivial model, profiled", size.pipelineItems());
        profileP2(runs, size, p2);
      }
      if (o.runs("p3")) {
        log.info("P3: worker with max batch size 1, MLP");
        cluster.stopWorkers();
        Map<String, String> one = new LinkedHashMap<>(tuned);
        one.put("WORKER_MAX_BATCH_SIZE", "1");
        cluster.startWorkers(1, one, o.workerHeap());
        // Ready, and warm for the MLP (the only model this worker is measured with).
        Pipeline.run(api, "warm-up mlp, batch size 1", Bodies.rawImages(size.batchOfOneItems() / 4, 4),
            size.batchOfOneItems() / 4, BenchModels.MLP, cluster::requireAlive);
        List<Pipeline.Run> singleRuns = runs.repeat(size.repeats(), "mlp-batch-1",
            Bodies.rawImages(size.batchOfOneItems(), 15), size.batchOfOneItems(), BenchModels.MLP);
        // The workers' own rates: submitting the inputs is the same in both runs and not what batching changes.
        Pipeline.Run single = median(singleRuns, Pipeline.Run::workerItemsPerSecond);
        Pipeline.Run tunedRun = median(mlpRuns, Pipeline.Run::workerItemsPerSecond);
        Map<String, Object> p3 = new LinkedHashMap<>();
        p3.put("batch_size_1", withRepeats(single, singleRuns));
        p3.put("tuned", withRepeats(tunedRun, mlpRuns));
        p3.put("ratio", ratio(tunedRun.workerItemsPerSecond(), single.workerItemsPerSecond()));
        p3.put("ratio_end_to_end", ratio(mlp.itemsPerSecond(), median(singleRuns, Pipeline.Run::itemsPerSecond)
            .itemsPerSecond()));
        report.put("p3_dynamic_batching", p3);
      }
      cluster.stopWorkers();
      if (o.runs("p4")) {
        log.info("P4: per-item sync serving, one request per item");
        report.put("p4_per_item", perItem(work, artifacts, size, mlp, cnn, inference));
      }
      if (o.runs("micro")) {
        log.info("micro-benchmarks (JMH)");
        report.put("micro", Micro.run(artifacts, cluster.redisUrl(), o.smoke()));
      }
    }
    report.put("elapsed_seconds", Math.round((System.nanoTime() - began) / 1e9));
    report.put("summary", Markdown.summary(report));
    write(o.out(), report);
    return report;
  }

  /** P2's run again with the API and the worker profiled, into {@code p2}: where the time goes. */
  private static void profileP2(Runs runs, Sizes size, Map<String, Object> p2) {
    // Separate from P2's run: starting the recorder costs the API and worker enough to move its figure.
    Map<String, Object> profile = new LinkedHashMap<>();
    Pipeline.Run profiled = runs.measure("trivial, profiled", Bodies.trivialBatch(size.pipelineItems(), 22),
        size.pipelineItems(), null, profile);
    p2.put("profiled_run", profiled.json());
    p2.put("profile", profile);
  }

  private static Map<String, Object> spike(ApiClient api, ProgressWatch watch, Pipeline.Run cnn, Sizes size, Options o,
      Cluster cluster) throws IOException {
    double drain = cnn.itemsPerSecond();
    Spike.Interactive probes = new Spike.Interactive(api, cnn.batchId(), BenchModels.FASHION, BenchModels.CNN, 100, 500);
    // First a shorter one at twice the drain rate, which the intake can take beside the workers on
    // 2 cores: what the submit latency is when the cores are not all taken.
    CpuMeter belowCpu = cluster.cpuMeter().begin();
    Map<String, Object> below = Spike.run(api, watch, BELOW_SATURATION * drain, size.spikeBatchItems(),
        Math.min(6, o.spikeSeconds()), Bodies.rawImages(size.spikeBatchItems(), 16), BenchModels.CNN, probes,
        belowCpu).json();
    below.remove("samples");
    CpuMeter cpu = cluster.cpuMeter().begin();
    Profiler profiler = o.profileAll() ? Profiler.start(cluster.api(), cluster.dir()) : null;
    Spike.Result spike = Spike.run(api, watch, o.spikeMultiplier() * drain, size.spikeBatchItems(), o.spikeSeconds(),
        Bodies.rawImages(size.spikeBatchItems(), 13), BenchModels.CNN, probes, cpu);
    Map<String, Object> p5 = spike.json();
    p5.put("below_saturation", below);
    p5.put("cpu_seconds_spike_start_to_drained", cpu.seconds());
    p5.put("cpu_seconds_by_thread", cpu.threadSeconds(6));
    if (profiler != null) {
      p5.put("api_profile", profiler.stop());
    }
    p5.put("drain_rate_measured_in_p1", Math.round(drain));
    p5.put("mean_rate_ratio_to_p1", ratio(spike.meanDrainRate(), drain));
    List<double[]> rows = new ArrayList<>();
    spike.samples().forEach(s -> rows.add(new double[] {s.t(), s.acceptedItems(), s.doneItems(), s.queuedItems()}));
    Files.createDirectories(o.out());
    Files.writeString(o.out().resolve("spike.svg"), SpikePlot.svg(rows, o.spikeSeconds(), String.format(
        "Spike: %,d items/s offered for %d s (%sx the CNN drain rate of %,d items/s)",
        Math.round(o.spikeMultiplier() * drain), o.spikeSeconds(), new java.text.DecimalFormat("0.#").format(
            o.spikeMultiplier()), Math.round(drain))));
    return p5;
  }

  /** Pipeline runs with the CPU time of every process, and a profile of the API and the worker when asked. */
  private record Runs(Cluster cluster, ApiClient api, Path work, boolean profileAll) {

    /** The same batch {@code n} times, one after the other; the median tells more than one run on a shared machine. */
    List<Pipeline.Run> repeat(int n, String label, Bodies.Body body, long items, String version) {
      List<Pipeline.Run> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(measure(label, body, items, version));
      }
      return out;
    }

    Pipeline.Run measure(String label, Bodies.Body body, long items, String version) {
      return measure(label, body, items, version, profileAll ? new LinkedHashMap<>() : null);
    }

    /** @param profileInto receives a profile per process when not null */
    Pipeline.Run measure(String label, Bodies.Body body, long items, String version,
        Map<String, Object> profileInto) {
      List<Profiler> profilers = profileInto == null ? List.of()
          : List.of(Profiler.start(cluster.api(), work), Profiler.start(cluster.workers().get(0), work));
      Pipeline.Run run = Pipeline.run(api, label, body, items, version, cluster::requireAlive, cluster.cpuMeter());
      for (Profiler p : profilers) {
        profileInto.put(p.name(), p.stop());
      }
      if (profileInto != null && profileAll) {
        log.info("{}: {} items/s, cpu {}, profile {}", label, Math.round(run.itemsPerSecond()), run.cpuSeconds(), profileInto);
      }
      return run;
    }
  }

  /** The run with the median of {@code measure} (the upper one of an even count). */
  static Pipeline.Run median(List<Pipeline.Run> runs, java.util.function.ToDoubleFunction<Pipeline.Run> measure) {
    List<Pipeline.Run> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(measure));
    return sorted.get(sorted.size() / 2);
  }

  /** The median of repeated ratios (the upper one of an even count, as for runs). */
  static double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  /** The median run, with the rates of every repeat beside it. */
  private static Map<String, Object> withRepeats(Pipeline.Run median, List<Pipeline.Run> all) {
    Map<String, Object> m = median.json();
    m.put("repeats_items_per_second", all.stream().map(r -> Math.round(r.itemsPerSecond())).toList());
    m.put("repeats_worker_items_per_second", all.stream().map(r -> Math.round(r.workerItemsPerSecond())).toList());
    return m;
  }

  private static Map<String, Object> lightLoad(ApiClient api, String batchId, Sizes size) {
    Latencies status = new Latencies();
    Latencies sync = new Latencies();
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < size.lightProbes(); i++) {
      long t = System.nanoTime();
      if (api.status(batchId).status() == 200) {
        status.record(System.nanoTime() - t);
      }
    }
    for (int i = 0; i < size.lightProbes() / 2; i++) {
      byte[] body = Bodies.syncImage(random);
      long t = System.nanoTime();
      if (api.syncPredict(BenchModels.FASHION, BenchModels.CNN, body).status() == 200) {
        sync.record(System.nanoTime() - t);
      }
    }
    return Map.of("status_poll", status.summary(), "sync_predict_cnn_one_item", sync.summary());
  }

  /** @param cpus where the per-item server runs: the model's CPUs, as the workers' */
  private static Map<String, Object> perItem(Path work, Path artifacts, Sizes size, Pipeline.Run mlp, Pipeline.Run cnn,
      CpuSet cpus) {
    Map<String, Object> p4 = new LinkedHashMap<>();
    for (Map.Entry<String, Pipeline.Run> model : Map.of("mlp", mlp, "cnn", cnn).entrySet()) {
      int port = 20_000 + new SplittableRandom().nextInt(20_000);
      Map<String, String> env = Map.of("MODEL_ARTIFACTS", artifacts.toString(), "MODEL", BenchModels.FASHION,
          "MODEL_VERSION", model.getKey().equals("mlp") ? BenchModels.MLP : BenchModels.CNN, "PORT", Integer.toString(port),
          "TF_CPP_MIN_LOG_LEVEL", "2");
      try (ChildJvm server = ChildJvm.start("per-item-" + model.getKey(), "dev.batchinfer.bench.run.PerItemServer", "512m",
          List.of("-XX:+UseG1GC"), env, work, 0, cpus)) {
        PerItemLoad.awaitUp(port, server);
        PerItemLoad.run(port, 8, Math.min(2000, size.perItemMillis())); // warm-up
        Map<String, Object> m = PerItemLoad.run(port, 8, size.perItemMillis());
        m.put("batch_path_items_per_second", Math.round(model.getValue().itemsPerSecond()));
        m.put("batch_path_ratio", ratio(model.getValue().itemsPerSecond(), ((Number) m.get("items_per_second")).doubleValue()));
        p4.put(model.getKey(), m);
      }
    }
    return p4;
  }

  private static void awaitHealthy(ApiClient api, Cluster cluster) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!api.healthy()) {
      cluster.requireAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the API did not come up: " + cluster.api().tail(30));
      }
      Pipeline.sleep(250);
    }
  }

  /**
   * Rounds of a batch per model until the JIT compilers are done with the system's hot paths: on 2
   * cores, compiling takes a good share of the first large runs (in every process, the broker's
   * too), and the figures are meant to be steady-state ones, as JMH's warm-up makes them. A round
   * counts as quiet when the compiler threads used less than {@link #QUIET_JIT_SHARE} of the CPU;
   * after two quiet rounds, or {@code warmUpSeconds}, the measurements start. Also proves every
   * service is up. What each round cost goes into the report.
   */
  private static List<Map<String, Object>> warmUp(ApiClient api, Cluster cluster, Sizes size) {
    int n = size.warmUpItems();
    long deadline = System.nanoTime() + size.warmUpSeconds() * 1_000_000_000L;
    List<Map<String, Object>> rounds = new ArrayList<>();
    int quiet = 0;
    for (int round = 1; quiet < 2 && (round <= 2 || System.nanoTime() < deadline); round++) {
      CpuMeter cpu = cluster.cpuMeter().begin();
      Pipeline.run(api, "warm-up mlp", Bodies.rawImages(n, 2), n, BenchModels.MLP, cluster::requireAlive);
      Pipeline.run(api, "warm-up trivial", Bodies.trivialBatch(n, 3), n, null, cluster::requireAlive);
      Pipeline.run(api, "warm-up cnn", Bodies.imageBatch(n / 5, 1), n / 5, BenchModels.CNN, cluster::requireAlive);
      Pipeline.run(api, "warm-up cnn, raw", Bodies.rawImages(n / 5, 1), n / 5, BenchModels.CNN, cluster::requireAlive);
      burst(api, Math.max(8, n / 250), Bodies.rawImages(512, 4));
      double total = cpu.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
      double jit = cpu.threadSeconds(Integer.MAX_VALUE).values().stream().flatMap(m -> m.entrySet().stream())
          .filter(e -> e.getKey().contains("CompilerThre")).mapToDouble(Map.Entry::getValue).sum();
      quiet = jit < QUIET_JIT_SHARE * total ? quiet + 1 : 0;
      log.info("warm-up round {}: JIT compilers {} of {} CPU-s", round, Pipeline.round(jit), Pipeline.round(total));
      rounds.add(Map.of("round", round, "cpu_seconds", Pipeline.round(total), "jit_cpu_seconds", Pipeline.round(jit)));
    }
    return rounds;
  }

  /**
   * The spike's submits (512 raw images each) from as many clients as it has, so its paths are warm
   * in every process, the load generator's HTTP client included.
   */
  private static void burst(ApiClient api, int submits, Bodies.Body body) {
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(Spike.SENDERS);
    try {
      List<java.util.concurrent.Future<ApiClient.Answer>> answers = new ArrayList<>();
      for (int i = 0; i < submits; i++) {
        answers.add(clients.submit(() -> api.submit(body, BenchModels.MLP)));
      }
      List<String> ids = new ArrayList<>();
      for (java.util.concurrent.Future<ApiClient.Answer> a : answers) {
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
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("warm-up submit failed", e.getCause());
    } finally {
      clients.shutdownNow();
    }
  }

  /** The JIT compilers' share of a warm-up round's CPU below which the round counts as quiet. */
  static final double QUIET_JIT_SHARE = 0.10;

  /** The smaller spike's rate, as a multiple of the drain rate. */
  static final double BELOW_SATURATION = 2;

  /** Records the worker's peak RSS over the part just run and starts a new peak for the next. */
  private static void notePeak(Map<String, Long> peaks, String part, ChildJvm worker) {
    peaks.put(part, mb(worker.peakRssBytes()));
    worker.resetPeakRss();
  }

  private static Map<String, Object> heap(ChildJvm jvm) {
    ChildJvm.HeapUse h = jvm.heapUse();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_heap", jvm.maxHeap());
    m.put("peak_heap_used_mb", mb(h.peakUsedBytes()));
    m.put("peak_live_after_gc_mb", mb(h.peakLiveBytes()));
    m.put("peak_rss_mb", mb(jvm.peakRssBytes()));
    return m;
  }

  static long mb(long bytes) {
    return Math.round(bytes / 1048576.0);
  }

  static double ratio(double a, double b) {
    return Math.round(a / b * 1000) / 1000.0;
  }

  private static void write(Path out, Map<String, Object> report) throws IOException {
    Files.createDirectories(out);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(), report);
    Files.writeString(out.resolve("report.md"), Markdown.render(report));
    log.info("report written to {}", out.toAbsolutePath());
  }
}
