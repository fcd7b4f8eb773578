package dev.batchinfer.bench.jmh;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.ChunkOrigin;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.ModelKey;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** 16 chunks of 256 items through the micro-batcher into model batches of 512, two models interleaved. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MicroBatcherBench {

  private InferenceChunk chunk;
  private int[] runnable;

  @Setup
  public void setUp() {
    ChunkHeader h = new ChunkHeader("b", 0, 1, 256, "m", "1", Priority.NORMAL, 0);
    long[] indexes = new long[256];
    int[] offsets = new int[257];
    runnable = new int[256];
    for (int i = 0; i < 256; i++) {
      indexes[i] = i;
      offsets[i + 1] = i + 1;
      runnable[i] = i;
    }
    chunk = new InferenceChunk(h, indexes, offsets, new byte[256]);
  }

  @Benchmark
  public int batch16Chunks() {
    MicroBatcher batcher = new MicroBatcher(512, 5_000_000, key -> 4096);
    long now = 0;
    int items = 0;
    for (int i = 0; i < 16; i++) {
      batcher.add(new PendingChunk(chunk, new ModelKey((i & 1) == 0 ? "a" : "b", "1"), ChunkOrigin.SHADOW, runnable), now++);
      MicroBatcher.Batch b;
      while ((b = batcher.poll(now)) != null) {
        items += b.size();
      }
    }
    MicroBatcher.Batch b;
    while ((b = batcher.poll(now + 10_000_000)) != null) {
      items += b.size();
    }
    return items;
  }
}
