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
}
