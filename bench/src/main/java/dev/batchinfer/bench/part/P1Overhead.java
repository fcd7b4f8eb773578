package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Ceiling;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.RedisMemory;
import dev.batchinfer.embedded.proc.CpuSet;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * P1: the pipeline's overhead. The CNN and the MLP through the whole system, repeated, against the
 * bare model's ceiling; the CNN's images also once as JSON, to show what the upload format costs.
 */
public final class P1Overhead {

  /**
   * @param ceilingsBetween the CNN's ceiling measured again before the first CNN run and after each
   * @param ceilingAfterJson the same after the JSON run
   * @param cnnRedisBytes Redis memory that one CNN run's results took
   */
  public record Result(List<Pipeline.Run> cnnRuns, List<Pipeline.Run> mlpRuns, Pipeline.Run cnnJson,
      List<Double> ceilingsBetween, double ceilingAfterJson, List<Double> pairedRatios, List<Double> pairedWorkerRatios,
      long cnnRedisBytes, Ceiling.Point cnnBest, Ceiling.Point mlpBest) {

    /** The median CNN run, by items/s. */
    public Pipeline.Run cnn() {
      return Figures.median(cnnRuns, Pipeline.Run::itemsPerSecond);
    }

    /** The median MLP run, by items/s. */
    public Pipeline.Run mlp() {
      return Figures.median(mlpRuns, Pipeline.Run::itemsPerSecond);
    }

    /** The JSON run against the mean of the ceilings measured just before and just after it. */
    public double cnnJsonPairedRatio() {
      return Figures.ratio(cnnJson.itemsPerSecond(), (ceilingsBetween.get(ceilingsBetween.size() - 1) + ceilingAfterJson) / 2);
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cnn", Figures.withRepeats(cnn(), cnnRuns));
      m.put("mlp", Figures.withRepeats(mlp(), mlpRuns));
      m.put("cnn_ratio_to_ceiling", Figures.ratio(cnn().itemsPerSecond(), cnnBest.itemsPerSecond()));
      m.put("cnn_ceilings_between_runs", ceilingsBetween.stream().map(Math::round).toList());
      m.put("cnn_paired_ratios", pairedRatios);
      m.put("cnn_paired_ratio_median", Figures.median(pairedRatios));
      m.put("cnn_worker_paired_ratios", pairedWorkerRatios);
      m.put("cnn_worker_paired_ratio_median", Figures.median(pairedWorkerRatios));
      m.put("cnn_json", cnnJson.json());
      m.put("cnn_json_ceiling_again_after", Math.round(ceilingAfterJson));
      m.put("cnn_json_paired_ratio", cnnJsonPairedRatio());
      m.put("mlp_ratio_to_ceiling", Figures.ratio(mlp().itemsPerSecond(), mlpBest.itemsPerSecond()));
      return m;
    }
  }

  private P1Overhead() {}

  /** The first answer, kept. */
  private static Supplier<Double> once(Supplier<Double> measure) {
    Double[] kept = new Double[1];
    return () -> kept[0] != null ? kept[0] : (kept[0] = measure.get());
  }

  /** @param cpus where the ceiling's loop runs again (the model's CPUs), or null for all */
  public static Result run(Runs runs, RedisMemory redis, Ceilings.Result ceilings, ModelCatalog catalog, Path artifacts,
      Sizes size, CpuSet cpus) {
    int items = size.pipelineItems();
    long redisBefore = redis.usedBytes();
    // Each CNN run is set against the mean of the ceilings measured just before and just after it,
    // with the cluster frozen (an idle cluster still compiles, collects and polls): the bare loop's
    // own speed drifts within a minute on a shared VM, and a ceiling on one side only would carry
    // that drift into the ratio.
    Ceiling.Point cnnBest = ceilings.cnn().best();
    ModelConfig cnnModel = catalog.find(BenchModels.FASHION, BenchModels.CNN).orElseThrow();
    Supplier<Double> measured = () -> runs.cluster().frozenDuring(
        () -> Ceiling.again(cnnModel, artifacts, cnnBest, size.ceilingMillis(), runs.work(), cpus));
    Supplier<Double> ceilingAgain = size.thorough() ? measured : once(measured);
    List<Pipeline.Run> cnnRuns = new ArrayList<>();
    List<Double> pairedRatios = new ArrayList<>();
    List<Double> pairedWorkerRatios = new ArrayList<>();
    Bodies.Body cnnBody = Bodies.rawImages(items, 11);
    List<Double> ceilingsBetween = new ArrayList<>(List.of(ceilingAgain.get()));
    for (int i = 0; i < size.repeats(); i++) {
      Pipeline.Run run = runs.measure("cnn, raw upload", cnnBody, items, BenchModels.CNN);
      ceilingsBetween.add(ceilingAgain.get());
      double around = (ceilingsBetween.get(i) + ceilingsBetween.get(i + 1)) / 2;
      cnnRuns.add(run);
      pairedRatios.add(Figures.ratio(run.itemsPerSecond(), around));
      pairedWorkerRatios.add(Figures.ratio(run.workerItemsPerSecond(), around));
    }
    long cnnRedisBytes = (redis.usedBytes() - redisBefore) / size.repeats();
    // The same images as JSON with base64 inputs, once and paired alike: what the upload format costs.
    Pipeline.Run cnnJson = runs.measure("cnn, JSON upload", Bodies.imageBatch(items, 11), items, BenchModels.CNN);
    double ceilingAfterJson = ceilingAgain.get();
    List<Pipeline.Run> mlpRuns = runs.repeat(size.repeats(), "mlp, raw upload", Bodies.rawImages(items, 12), items,
        BenchModels.MLP);
    return new Result(cnnRuns, mlpRuns, cnnJson, ceilingsBetween, ceilingAfterJson, pairedRatios, pairedWorkerRatios,
        cnnRedisBytes, cnnBest, ceilings.mlp().best());
  }
}
