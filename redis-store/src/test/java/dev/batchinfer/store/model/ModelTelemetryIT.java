package dev.batchinfer.store.model;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-version statistics against a real Redis. */
class ModelTelemetryIT {

  private final Redis redis = Redis.connect(TestInfra.redisUrl(), TestInfra.unique("telemetry") + ":");
  private final ModelTelemetry telemetry = new ModelTelemetry(redis);

  @AfterEach
  void stop() {
    redis.close();
  }

  @Test
  void a_chunk_delivered_twice_is_counted_once() {
    long now = System.currentTimeMillis();
    assertThat(telemetry.countItems("m", "1.0.0", "batch-1", 3, 250, 5, now).toCompletableFuture().join()).isTrue();
    // The same chunk again, as after a worker died between storing its results and committing its offset.
    assertThat(telemetry.countItems("m", "1.0.0", "batch-1", 3, 250, 5, now).toCompletableFuture().join()).isFalse();
    telemetry.countItems("m", "1.0.0", "batch-1", 4, 100, 0, now).toCompletableFuture().join();
    telemetry.countItems("m", "1.0.0", "batch-2", 3, 10, 1, now).toCompletableFuture().join();

    assertThat(telemetry.itemsAndErrors("m", "1.0.0", 1, now)).containsExactly(360, 6);
  }
}
