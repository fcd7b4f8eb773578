package dev.batchinfer.progress;

import dev.batchinfer.topics.message.BatchStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the progress topology counts for the operator. The counters are the process's own: a replay
 * after a crash may count a record again here, never in the topology's state, which stays exact.
 */
final class ProgressMetrics {

  private final Map<BatchStatus, Counter> finished = new EnumMap<>(BatchStatus.class);
  private final Counter counted;
  private final Counter duplicates;

  ProgressMetrics(MeterRegistry registry) {
    for (BatchStatus s : BatchStatus.values()) {
      if (s.isFinal()) {
        finished.put(s, Counter.builder("batchinfer.progress.batches.finished")
            .description("batches that reached a final status").tag("status", s.wire()).register(registry));
      }
    }
    counted = Counter.builder("batchinfer.progress.chunks.counted")
        .description("chunk-finished events counted into a batch's progress").register(registry);
    duplicates = Counter.builder("batchinfer.progress.chunks.deduplicated")
        .description("chunk-finished events ignored because the chunk was already counted (redelivery)")
        .register(registry);
  }

  void finished(BatchStatus status) {
    Counter c = finished.get(status);
    if (c != null) {
      c.increment();
    }
  }

  void counted() {
    counted.increment();
  }

  void duplicate() {
    duplicates.increment();
  }
}
