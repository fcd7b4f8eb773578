package dev.batchinfer.bench.jmh;

import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.worker.infer.ResultFormatter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A worker's output side for one 256-item chunk: formatting the result lines, and storing them in
 * Redis as one hash field (a real Redis: -Dbench.redis, default redis://127.0.0.1:6379).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResultBench {

  private ResultFormatter formatter;
  private float[] probabilities;
  private BatchStores store;
  private String ndjson;
  private String batchId;
  private int chunk;

  @Setup
  public void setUp() {
    ModelConfig mlp = ModelCatalog.load(Path.of(System.getProperty("bench.models", "model-artifacts")))
        .find("fashion-mnist", "1.0.0").orElseThrow();
    formatter = new ResultFormatter(mlp);
    probabilities = new float[256 * 10];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] = (float) random.nextDouble();
    }
    ndjson = format256();
    store = BatchStores.over(Redis.connect(System.getProperty("bench.redis", "redis://127.0.0.1:6379"), "bench-jmh:", "bench"));
    batchId = UUID.randomUUID().toString();
  }

  @Benchmark
  public String format256() {
    StringBuilder sb = new StringBuilder(256 * 200);
    for (int row = 0; row < 256; row++) {
      sb.append(formatter.result(1000 + row, probabilities, row)).append('\n');
    }
    return sb.toString();
  }

  @Benchmark
  public Boolean storeChunkInRedis() throws Exception {
    return store.results().write(batchId, chunk++ & 1023, ndjson).toCompletableFuture().get();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.records().delete(batchId);
    store.redis().close();
  }
}
