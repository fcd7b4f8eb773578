package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.PerItemLoad;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.embedded.proc.ChildJvm;
import dev.batchinfer.embedded.proc.CpuSet;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * P4: per-item sync serving, one request per item, in a server of its own, against the batch path's
 * throughput from P1.
 */
public final class P4PerItem {

  /** Closed-loop clients driving the per-item server. */
  static final int CLIENTS = 8;

  /**
   * One model.
   *
   * @param load what the per-item clients measured ({@link PerItemLoad#run})
   * @param batchPathItemsPerSecond the same model's rate through the batch path (P1)
   */
  public record Model(Map<String, Object> load, double batchPathItemsPerSecond) {
    public double itemsPerSecond() {
      return ((Number) load.get("items_per_second")).doubleValue();
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>(load);
      m.put("batch_path_items_per_second", Math.round(batchPathItemsPerSecond));
      m.put("batch_path_ratio", Figures.ratio(batchPathItemsPerSecond, itemsPerSecond()));
      return m;
    }
  }

  public record Result(Model mlp, Model cnn) {
    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mlp", mlp.json());
      m.put("cnn", cnn.json());
      return m;
    }
  }

  private P4PerItem() {}

  /** @param cpus where the per-item server runs: the model's CPUs, as the workers', or null for all */
  public static Result run(Path work, Path artifacts, P1Overhead.Result p1, Sizes size, CpuSet cpus) {
    Model mlp = one("mlp", BenchModels.MLP, p1.mlp(), work, artifacts, size, cpus);
    Model cnn = one("cnn", BenchModels.CNN, p1.cnn(), work, artifacts, size, cpus);
    return new Result(mlp, cnn);
  }

  private static Model one(String name, String version, Pipeline.Run batchPath, Path work, Path artifacts, Sizes size,
      CpuSet cpus) {
    int port = 20_000 + new SplittableRandom().nextInt(20_000);
    Map<String, String> env = Map.of("MODEL_ARTIFACTS", artifacts.toString(), "MODEL", BenchModels.FASHION,
        "MODEL_VERSION", version, "PORT", Integer.toString(port), "TF_CPP_MIN_LOG_LEVEL", "2");
    try (ChildJvm server = ChildJvm.start("per-item-" + name, "dev.batchinfer.bench.run.PerItemServer", "512m",
        List.of("-XX:+UseG1GC"), env, work, 0, cpus)) {
      PerItemLoad.awaitUp(port, server);
      PerItemLoad.run(port, CLIENTS, Math.min(2000, size.perItemMillis())); // warm-up
      return new Model(PerItemLoad.run(port, CLIENTS, size.perItemMillis()), batchPath.itemsPerSecond());
    }
  }
}
