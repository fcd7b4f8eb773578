package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Ceiling;
import dev.batchinfer.embedded.proc.CpuSet;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The ceilings: each SavedModel called directly, before the cluster exists; the yardstick of P1 and P3. */
public final class Ceilings {

  /**
   * @param mlpBatchOfOneItemsPerSecond the MLP at one item per call, for P3's context: the model's
   *     own gain from batching
   */
  public record Result(Ceiling.Result cnn, Ceiling.Result mlp, Ceiling.Result trivial, long mlpBatchOfOneItemsPerSecond) {
    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cnn", cnn.json());
      m.put("mlp", mlp.json());
      m.put("trivial", trivial.json());
      m.put("mlp_batch_of_one_items_per_second", mlpBatchOfOneItemsPerSecond);
      return m;
    }
  }

  private Ceilings() {}

  /** @param cpus where the bare-model loops run (the model's CPUs), or null for all */
  public static Result measure(ModelCatalog catalog, Path artifacts, Sizes size, Path work, CpuSet cpus) {
    ModelConfig cnn = catalog.find(BenchModels.FASHION, BenchModels.CNN).orElseThrow();
    ModelConfig mlp = catalog.find(BenchModels.FASHION, BenchModels.MLP).orElseThrow();
    ModelConfig trivial = catalog.find(BenchModels.TRIVIAL, BenchModels.TRIVIAL_VERSION).orElseThrow();
    int[] sizes = ints(size.ceilingBatchSizes());
    long ms = size.ceilingMillis();
    boolean both = size.thorough();
    Ceiling.Result cnnCeiling = Ceiling.measure(cnn, artifacts, sizes, ms, work, cpus, both);
    Ceiling.Result mlpCeiling = Ceiling.measure(mlp, artifacts, sizes, ms, work, cpus, both);
    Ceiling.Result trivialCeiling = Ceiling.measure(trivial, artifacts, ints(size.trivialCeilingBatchSizes()), ms, work,
        cpus, both);
    long batchOfOne = Math.round(Ceiling.measure(mlp, artifacts, new int[] {1}, ms, work, cpus, both).best()
        .itemsPerSecond());
    return new Result(cnnCeiling, mlpCeiling, trivialCeiling, batchOfOne);
  }

  private static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }
}
