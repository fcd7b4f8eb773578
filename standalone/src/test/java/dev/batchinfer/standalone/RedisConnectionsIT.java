package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import dev.batchinfer.embedded.testing.TestInfra;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every service holds one Redis client: one connection for text values and at most one for bytes, whatever
 * number of stores it uses. Counted in Redis itself ({@code CLIENT LIST}), by the name each service gives its
 * connections, after a batch has gone through every service.
 */
class RedisConnectionsIT {

  @Test
  void each_service_holds_one_connection_and_at_most_one_more_for_bytes() {
    try (TestSystem system = new TestSystem("connections", Map.of());
        RedisClient client = RedisClient.create(TestInfra.redisUrl());
        var redis = client.connect()) {
      system.withResultStore().withDispatcher().withApi();
      system.startWorker(system.workerSettings("connections-worker"));
      ApiClient api = system.api();
      String id = api.submit(aBatch().withItems(10));
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(1))).isCompletedWith(10, 0);

      String prefix = system.ns.redisKeyPrefix();
      Map<String, Long> byService = Arrays.stream(redis.sync().clientList().split("\n"))
          .flatMap(line -> Arrays.stream(line.split(" ")))
          .filter(field -> field.startsWith("name=") && field.endsWith("@" + prefix))
          .map(field -> field.substring("name=".length(), field.length() - prefix.length() - 1))
          .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));

      assertThat(byService).containsOnlyKeys("api", "worker", "progress", "dispatcher");
      assertThat(byService.values()).allSatisfy(n -> assertThat(n).isBetween(1L, 2L));
    }
  }
}
