package dev.batchinfer.worker.infer;

import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.worker.batch.BatchShape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The model versions this worker has loaded and warmed up. */
public final class LoadedModels implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoadedModels.class);

  private final Map<ModelKey, ModelRunner> runners = new LinkedHashMap<>();
  private final Map<ModelKey, ResultFormatter> formatters = new LinkedHashMap<>();
  private final Map<ModelKey, BatchShape> shapes = new LinkedHashMap<>();

  /** Loads every version in the catalogue and runs one warm-up batch through each. */
  public static LoadedModels load(ModelCatalog catalog, int intraOpThreads, int interOpThreads) {
    return load(catalog, intraOpThreads, interOpThreads, SimulatedAccelerator.NONE);
  }

  /** @param accelerator the one device every version's calls share ({@link SimulatedAccelerator#NONE}: the CPUs) */
  public static LoadedModels load(ModelCatalog catalog, int intraOpThreads, int interOpThreads,
      SimulatedAccelerator accelerator) {
    LoadedModels models = new LoadedModels();
    for (ModelConfig config : catalog.allVersions()) {
      long start = System.nanoTime();
      ModelRunner runner = new ModelRunner(config, intraOpThreads, interOpThreads, accelerator);
      BatchShape shape = BatchShape.of(config);
      // The first call of a TensorFlow function pays for graph set-up; pay it before consuming (at
      // the smallest allowed batch size, if the model has them).
      int warm = shape.rows(Math.min(8, config.batching().maxBatchSize()));
      if (config.input().type() == dev.batchinfer.models.InputSpec.DType.STRING) {
        runner.predictText(java.util.Collections.nCopies(warm, "warm up").toArray(String[]::new));
      } else {
        runner.predict(new byte[warm * config.input().payloadBytes()], warm);
      }
      ModelKey key = new ModelKey(config.model(), config.version());
      models.shapes.put(key, shape);
      models.runners.put(key, runner);
      models.formatters.put(key, new ResultFormatter(config));
      log.info("loaded and warmed {} ({}) in {} ms", config.id(), shape, (System.nanoTime() - start) / 1_000_000);
    }
    return models;
  }

  public Optional<ModelRunner> runner(ModelKey key) {
    return Optional.ofNullable(runners.get(key));
  }

  public ResultFormatter formatter(ModelKey key) {
    return formatters.get(key);
  }

  /** How a model version's micro-batches are shaped (its config's batching), for the micro-batcher. */
  public BatchShape shape(ModelKey key) {
    BatchShape shape = shapes.get(key);
    return shape == null ? BatchShape.upTo(1) : shape;
  }

  public java.util.Set<ModelKey> keys() {
    return runners.keySet();
  }

  public String describe() {
    return runners.keySet().stream().map(ModelKey::toString).collect(java.util.stream.Collectors.joining(", "));
  }

  @Override
  public void close() {
    runners.values().forEach(ModelRunner::close);
  }
}
