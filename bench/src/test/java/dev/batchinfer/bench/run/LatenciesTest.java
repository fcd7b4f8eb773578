package dev.batchinfer.bench.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {

  @Test
  void percentilesAreNearestRankOverEverythingRecorded() {
    Latencies l = new Latencies();
    for (int ms = 100; ms >= 1; ms--) {
      l.record(ms * 1_000_000L);
    }
    assertThat(l.count()).isEqualTo(100);
    assertThat(l.millis(0.50)).isEqualTo(50.0);
    assertThat(l.millis(0.99)).isEqualTo(99.0);
    assertThat(l.millis(1.0)).isEqualTo(100.0);
  }

  @Test
  void noSamplesIsNotANumberRatherThanZero() {
    assertThat(new Latencies().millis(0.5)).isNaN();
  }
}
