package dev.batchinfer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole benchmark harness at tiny sizes, so it cannot rot: real Kafka, Redis, TensorFlow and
 * child JVMs, every measurement, every output file. It checks that each measurement happened and is
 * consistent, not how fast anything was.
 */
class BenchSmokeIT {

  @Test
  void everyMeasurementRunsAndTheReportIsWritten() throws Exception {
    Path out = Path.of("target", "bench-smoke");
    // P8 (metrics on and off), P9 (scale-out on three brokers) and P10 (allowed batch sizes) restart workers or a
    // whole cluster several times, which took 105 s of the suite's 20 minutes: their smoke runs are documented
    // commands (bench/README.md), their figures unit-tested (BenchReportTest).
    BenchMain.run(BenchMain.Options.parse(new String[] {"--smoke", "--out=" + out, "--models=../model-artifacts",
        "--only=p2,p3,p4,p5,p6,p7,micro"}));

    JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    for (String run : List.of("/p1_overhead/cnn", "/p1_overhead/mlp", "/p2_pipeline_ceiling/run",
        "/p3_dynamic_batching/batch_size_1", "/p6_memory/batch")) {
      assertThat(r.at(run + "/items_per_second").asLong()).as(run).isPositive();
    }
    assertThat(r.at("/p1_overhead/cnn/items").asLong()).isEqualTo(dev.batchinfer.bench.part.Sizes.SMOKE.pipelineItems());
    assertThat(r.at("/ceilings/cnn/best_items_per_second").asLong()).isPositive();
    assertThat(r.at("/p1_overhead/cnn_ratio_to_ceiling").asDouble()).isPositive();
    assertThat(r.at("/p1_overhead/cnn_paired_ratio_median").asDouble()).isPositive();
    assertThat(r.at("/p5_spike/accepted_items_per_second_during_intake").asLong()).isPositive();
    assertThat(r.at("/p2_pipeline_ceiling/run/cpu_seconds/producer-api").isNumber()).isTrue();
    assertThat(r.at("/p2_pipeline_ceiling/profile/producer-api").has("by_category")).isTrue();
    assertThat(r.at("/p4_per_item/mlp/items").asLong()).isPositive();
    assertThat(r.at("/p4_per_item/mlp/errors").asLong()).isZero();

    JsonNode spike = r.at("/p5_spike");
    assertThat(spike.at("/accepted").asLong()).isEqualTo(spike.at("/submits").asLong()).isPositive();
    assertThat(spike.at("/http_5xx").asLong()).isZero();
    assertThat(spike.at("/samples").size()).isPositive();
    // Every accepted item is finished at the end of the drain.
    JsonNode last = spike.at("/samples").get(spike.at("/samples").size() - 1);
    assertThat(last.get(2).asLong()).isEqualTo(spike.at("/accepted").asLong() * spike.at("/batch_items").asLong());

    JsonNode below = spike.at("/below_saturation");
    assertThat(below.at("/accepted").asLong()).isEqualTo(below.at("/submits").asLong()).isPositive();
    assertThat(below.at("/http_5xx").asLong()).isZero();
    assertThat(below.at("/submit_latency/count").asLong()).isEqualTo(below.at("/submits").asLong());
    // The intake's CPU per thread, for both spikes: which threads of the API took it.
    assertThat(below.at("/cpu_seconds_by_thread_during_intake/producer-api").fieldNames()).toIterable().isNotEmpty();
    assertThat(spike.at("/cpu_seconds_by_thread_during_intake/producer-api").fieldNames()).toIterable().isNotEmpty();

    // The whole run's peak is the largest of the parts' peaks, each measured from a reset.
    JsonNode parts = r.at("/p6_memory/worker_peak_rss_mb_by_part");
    assertThat(parts.fieldNames()).toIterable().containsExactly("start and warm-up", "p1", "p2", "p7", "p5", "p6");
    long largest = 0;
    for (JsonNode part : parts) {
      assertThat(part.asLong()).isPositive();
      largest = Math.max(largest, part.asLong());
    }
    assertThat(r.at("/p6_memory/worker_peak_rss_mb").asLong()).isEqualTo(largest);
    assertThat(r.at("/p6_memory/api/peak_heap_used_mb").asLong()).isPositive();
    assertThat(r.at("/p7_light/status_poll/count").asInt()).isPositive();
    assertThat(r.at("/micro").size()).isGreaterThanOrEqualTo(8);
    assertThat(r.at("/summary").size()).isGreaterThanOrEqualTo(10);

    assertThat(Files.readString(out.resolve("report.md"))).contains("## Targets", "| P1 |", "![spike](spike.svg)");
    assertThat(Files.readString(out.resolve("spike.svg"))).startsWith("<svg").contains("<polyline");
  }
}
