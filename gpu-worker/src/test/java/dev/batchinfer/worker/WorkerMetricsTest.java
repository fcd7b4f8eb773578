package dev.batchinfer.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.worker.infer.ResultFormatter;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {

  @Test
  void the_error_code_is_read_from_an_error_line_and_a_result_has_none() {
    assertThat(WorkerMetrics.errorCode(ResultFormatter.error(7, "invalid_input", "pixels: 784 values"))).isEqualTo("invalid_input");
    assertThat(WorkerMetrics.errorCode(ResultFormatter.withItemFields(ResultFormatter.error(7, "model_error", "x"), "row-7", -1)))
        .isEqualTo("model_error");
    assertThat(WorkerMetrics.errorCode("{\"index\":3,\"result\":{\"label\":\"Bag\"}}")).isNull();
    assertThat(WorkerMetrics.errorCode(null)).isNull();
  }
}
