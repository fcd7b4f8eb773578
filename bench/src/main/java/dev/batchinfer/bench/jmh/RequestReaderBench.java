package dev.batchinfer.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.ParsedBatch;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.config.Env;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The API's request path before Kafka: a 1,000-image body (base64 form) parsed, validated,
 * encoded and chunked. Needs -Dbench.models (the benchmark's model folder).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestReaderBench {

  private BatchRequestReader reader;
  private byte[] images;
  private byte[] trivial;

  @Setup
  public void setUp() {
    ModelCatalog catalog = ModelCatalog.load(Path.of(System.getProperty("bench.models", "model-artifacts")));
    reader = new BatchRequestReader(new ObjectMapper(), catalog, 256, 1024 * 1024, 2_000_000,
        CallbackPolicy.from(Env.of(Map.of())));
    images = Bodies.imageBatch(1000, 1).bytes();
    trivial = Bodies.trivialBatch(1000, 1).bytes();
  }

  @Benchmark
  public ParsedBatch read1000Images() {
    return reader.read(new ByteArrayInputStream(images));
  }

  @Benchmark
  public ParsedBatch read1000TrivialItems() {
    return reader.read(new ByteArrayInputStream(trivial));
  }
}
