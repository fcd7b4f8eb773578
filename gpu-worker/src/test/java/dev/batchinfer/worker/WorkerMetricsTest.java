package dev.batchinfer.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.infer.ModelKey;
import dev.batchinfer.worker.infer.ResultFormatter;
import java.util.List;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void the_lag_paused_and_thread_gauges_follow_what_the_worker_reports() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger paused = new AtomicInteger();
    AtomicInteger threads = new AtomicInteger(2);
    Map<Priority, Long> lag = new EnumMap<>(Map.of(Priority.HIGH, 0L, Priority.NORMAL, 0L, Priority.LOW, 0L));
    new WorkerMetrics(registry).watch(paused::get, threads::get, lag::get);

    lag.put(Priority.LOW, 5_000L);
    paused.set(3);
    threads.set(1);

    assertThat(registry.get(WorkerMetrics.CONSUMER_LAG).tag("priority", "low").gauge().value()).isEqualTo(5_000);
    assertThat(registry.get(WorkerMetrics.CONSUMER_LAG).tag("priority", "high").gauge().value()).isZero();
    assertThat(registry.get("batchinfer.worker.partitions.paused").gauge().value()).isEqualTo(3);
    assertThat(registry.get("batchinfer.worker.inference.threads.alive").gauge().value()).isEqualTo(1);

    paused.set(0);
    lag.put(Priority.LOW, 0L);
    assertThat(registry.get("batchinfer.worker.partitions.paused").gauge().value()).isZero();
    assertThat(registry.get(WorkerMetrics.CONSUMER_LAG).tag("priority", "low").gauge().value()).isZero();
  }

  @Test
  void a_padded_micro_batch_records_its_real_items_and_counts_its_padding_apart() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(registry);
    ModelKey cnn = new ModelKey("fashion-mnist", "2.0.0");

    metrics.ran(new MicroBatcher.Batch(cnn, List.of(), 37, 0, 64), 1_000);
    metrics.ran(new MicroBatcher.Batch(cnn, List.of(), 64, 0, 64), 1_000);

    assertThat(registry.get("batchinfer.worker.microbatch.size").summary().totalAmount()).isEqualTo(37 + 64);
    assertThat(registry.get("batchinfer.worker.padding.items").tag("version", "2.0.0").counter().count()).isEqualTo(27);
  }
}
