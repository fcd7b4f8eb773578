package dev.batchinfer.bench.jmh;

import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The Kafka record of one chunk (256 Fashion-MNIST images), both ways. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChunkCodecBench {

  static final int ITEMS = 256;

  private ChunkHeader header;
  private long[] indexes;
  private int[] offsets;
  private byte[] payloads;
  private byte[] encoded;

  @Setup
  public void setUp() {
    header = new ChunkHeader("0b6f1c1e-7d2a-4a55-9b8e-3c1f2d4e5a6b", 3, 400, 100_000, "fashion-mnist", "2.0.0",
        Priority.NORMAL, 1_700_000_000_000L, "bench");
    indexes = new long[ITEMS];
    offsets = new int[ITEMS + 1];
    payloads = new byte[ITEMS * 784];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < ITEMS; i++) {
      indexes[i] = 768 + i;
      offsets[i] = i * 784;
      System.arraycopy(Bodies.image(random), 0, payloads, i * 784, 784);
    }
    offsets[ITEMS] = ITEMS * 784;
    encoded = ChunkCodec.encode(header, indexes, offsets, payloads);
  }

  @Benchmark
  public byte[] encode() {
    return ChunkCodec.encode(header, indexes, offsets, payloads);
  }

  @Benchmark
  public InferenceChunk decode() {
    return ChunkCodec.decode(encoded);
  }
}
