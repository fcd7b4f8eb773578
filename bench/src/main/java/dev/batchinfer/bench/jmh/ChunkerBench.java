package dev.batchinfer.bench.jmh;

import dev.batchinfer.api.submit.Chunker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Packing 4,096 encoded images into chunks of 256 items / 1 MB, as the API does while it reads a body. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChunkerBench {

  private final byte[] image = new byte[784];

  @Benchmark
  public List<Chunker.ChunkItems> chunk4096Images() {
    Chunker chunker = new Chunker(256, 1024 * 1024, 200);
    for (int i = 0; i < 4096; i++) {
      chunker.add(i, image);
    }
    return chunker.finish();
  }
}
