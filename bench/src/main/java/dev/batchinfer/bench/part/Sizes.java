package dev.batchinfer.bench.part;

import java.util.List;

/**
 * How big each measurement is.
 *
 * @param ceilingBatchSizes the batch sizes the CNN's and the MLP's ceilings try
 * @param trivialCeilingBatchSizes the batch sizes the trivial model's ceiling tries
 * @param thorough every ceiling tries both thread layouts, and P1 measures the CNN's ceiling again around each
 *     run (each a fresh JVM, 7 to 12 s); the smoke run tries one layout and measures P1's ceiling again once,
 *     which runs the same code
 */
public record Sizes(int warmUpItems, int warmUpSeconds, int repeats, int pipelineItems, int batchOfOneItems,
    long perItemMillis, int spikeBatchItems, int memoryItems, long ceilingMillis, int lightProbes,
    List<Integer> ceilingBatchSizes, List<Integer> trivialCeilingBatchSizes, boolean thorough) {

  public static final Sizes FULL = new Sizes(100_000, 90, 5, 100_000, 20_000, 15_000, 512, 1_000_000, 1500, 200,
      List.of(32, 128, 256, 512), List.of(256, 1024, 4096), true);
  /** The smoke run's (the test suite's): the harness runs end to end, its numbers mean nothing. */
  public static final Sizes SMOKE = new Sizes(256, 0, 1, 2_000, 300, 1_500, 256, 5_000, 150, 10,
      List.of(64, 256), List.of(256), false);
}
