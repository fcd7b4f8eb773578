package dev.batchinfer.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.api.submit.BodyMemory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApiMetricsTest {

  @Test
  void body_memory_in_use_follows_the_bodies_held_and_returns_to_zero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    long budget = 4L << 20;
    BodyMemory memory = new BodyMemory(budget, Duration.ofSeconds(1));
    new ApiMetrics(registry, memory, budget);

    assertThat(registry.get("batchinfer.api.body.memory.used").gauge().value()).isZero();
    assertThat(registry.get("batchinfer.api.body.memory.budget").gauge().value()).isEqualTo(budget);
    try (BodyMemory.Hold hold = memory.hold(1L << 20, budget)) {
      assertThat(registry.get("batchinfer.api.body.memory.used").gauge().value()).isEqualTo(1L << 20);
    }
    assertThat(registry.get("batchinfer.api.body.memory.used").gauge().value()).isZero();
  }
}
