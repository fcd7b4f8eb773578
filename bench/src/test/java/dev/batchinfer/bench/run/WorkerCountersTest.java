package dev.batchinfer.bench.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkerCountersTest {

  @Test
  void the_model_versions_micro_batch_items_and_padding_rows_are_read_from_the_prometheus_text() {
    String text = """
        # HELP batchinfer_worker_padding_items_total padding rows
        # TYPE batchinfer_worker_padding_items_total counter
        batchinfer_worker_padding_items_total{model="fashion-mnist",version="2.0.0"} 27.0
        batchinfer_worker_padding_items_total{model="fashion-mnist",version="1.0.0"} 5.0
        batchinfer_worker_microbatch_size_count{model="fashion-mnist",version="2.0.0"} 2.0
        batchinfer_worker_microbatch_size_sum{model="fashion-mnist",version="2.0.0"} 101.0
        batchinfer_worker_microbatch_size_sum{model="bench-trivial",version="1.0.0"} 4096.0
        """;

    WorkerCounters c = WorkerCounters.parse(text, "fashion-mnist", "2.0.0");

    assertThat(c).isEqualTo(new WorkerCounters(101, 27));
    assertThat(c.since(new WorkerCounters(37, 27))).isEqualTo(new WorkerCounters(64, 0));
  }
}
