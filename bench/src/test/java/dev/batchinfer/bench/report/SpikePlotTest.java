package dev.batchinfer.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpikePlotTest {

  @Test
  void axisMaximaAreRoundNumbersAboveTheData() {
    assertThat(SpikePlot.niceMax(0)).isEqualTo(1);
    assertThat(SpikePlot.niceMax(7)).isEqualTo(10);
    assertThat(SpikePlot.niceMax(1234)).isEqualTo(2000);
    assertThat(SpikePlot.niceMax(40_001)).isEqualTo(50_000);
  }

  @Test
  void ratesAreDerivedFromCumulativeCountsAndDrawnAsLines() {
    String svg = SpikePlot.svg(List.of(new double[] {0, 0, 0, 0}, new double[] {1, 1000, 100, 900},
        new double[] {2, 2000, 300, 1700}), 2, "a <title>");
    assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("a &lt;title>");
    // three series: accepted, finished, queue depth
    assertThat(svg.split("<polyline", -1)).hasSize(4);
    assertThat(svg).contains("1.0k"); // the rate axis tops at 1,000 items/s
  }
}
