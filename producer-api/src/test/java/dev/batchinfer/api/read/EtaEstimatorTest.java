package dev.batchinfer.api.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EtaEstimatorTest {

  @Test
  void aFewBatchesAheadAreSummedExactly() {
    assertThat(EtaEstimator.extrapolate(1234, 0)).isEqualTo(1234);
    assertThat(EtaEstimator.extrapolate(1234, EtaEstimator.MAX_BATCHES_SUMMED)).isEqualTo(1234);
  }

  @Test
  void moreBatchesAheadThanSampledCountAsManyAsTheSampleAverages() {
    int n = EtaEstimator.MAX_BATCHES_SUMMED;
    // The sampled batches have 100 items left each; 10 times as many batches wait.
    assertThat(EtaEstimator.extrapolate(100L * n, 10L * n)).isEqualTo(1000L * n);
  }

  @Test
  void aReadingIsUsedAgainForUnderASecondThenReadAfresh() {
    java.util.Map<String, EtaEstimator.Reused> cache = new java.util.HashMap<>();
    int[] reads = {0};
    java.util.function.DoubleSupplier read = () -> ++reads[0];
    java.time.Instant t0 = java.time.Instant.parse("2026-11-27T12:00:00Z");

    assertThat(EtaEstimator.reuse(cache, "m@1", t0, read)).isEqualTo(1);
    assertThat(EtaEstimator.reuse(cache, "m@1", t0.plusMillis(EtaEstimator.REUSE_MILLIS - 1), read)).isEqualTo(1);
    assertThat(EtaEstimator.reuse(cache, "m@2", t0, read)).as("another key reads its own").isEqualTo(2);
    assertThat(EtaEstimator.reuse(cache, "m@1", t0.plusMillis(EtaEstimator.REUSE_MILLIS), read)).isEqualTo(3);
    assertThat(EtaEstimator.reuse(cache, "m@1", t0, read)).as("a clock set back reads afresh").isEqualTo(4);
    assertThat(reads[0]).isEqualTo(4);
  }
}
