package dev.batchinfer.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The randomized chaos run, CI-sized: the full cluster of OS processes, steady load from two tenants, one random
 * real fault (kill -9, SIGSTOP, SIGTERM of any service, Redis or the broker) every 2-6 s for a minute, then heal,
 * drain and count every item. The long run is {@link ChaosRun#main} (see the chaos README).
 */
class RandomizedChaosIT {

  @Test
  void a_minute_of_random_faults_loses_nothing_and_counts_nothing_twice() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "chaos-random-" + System.currentTimeMillis()));
    try (ChaosCluster cluster = ChaosCluster.start(dir, Path.of("..", "model-artifacts"), ChaosCluster.Layout.full());
        WebhookReceiver receiver = new WebhookReceiver(List.of(cluster.webhookSecret()))) {
      ChaosRun.Outcome o = ChaosRun.run(cluster, receiver, new Checker(cluster, receiver), Duration.ofMinutes(1),
          20261207L);
      System.out.println(o);
      assertThat(o.figures().passed()).as(o.toString()).isTrue();
      assertThat(o.faults().values().stream().mapToInt(Integer::intValue).sum()).as("faults injected").isPositive();
    }
  }
}
