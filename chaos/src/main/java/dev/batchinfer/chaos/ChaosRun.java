package dev.batchinfer.chaos;

import dev.batchinfer.embedded.proc.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The randomized chaos run: a steady load of batches from two tenants while random faults ({@link Fault}) are
 * made one after another every few seconds, for a fixed time; then the faults stop, the backlog drains and the
 * checker counts every item. {@code --minutes} (default 10), {@code --seed}, {@code --dir}.
 */
public final class ChaosRun {

  /** What a run did and what the checker found. */
  public record Outcome(Figures figures, Map<Fault, Integer> faults, Duration length) {
    @Override
    public String toString() {
      return figures + "; faults injected " + faults + " in " + length.toMinutes() + " min";
    }
  }

  private ChaosRun() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Duration length = Duration.ofMinutes(Long.parseLong(a.getOrDefault("minutes", "10")));
    long seed = Long.parseLong(a.getOrDefault("seed", Long.toString(System.currentTimeMillis())));
    Path dir = Files.createDirectories(Path.of(a.getOrDefault("dir", "chaos/target/run-" + seed)));
    Path models = Path.of(a.getOrDefault("models", "model-artifacts"));
    System.out.println("[chaos] run of " + length.toMinutes() + " min, seed " + seed + ", logs in " + dir.toAbsolutePath());
    boolean passed;
    try (ChaosCluster cluster = ChaosCluster.start(dir, models, ChaosCluster.Layout.full());
        WebhookReceiver receiver = new WebhookReceiver(List.of(cluster.webhookSecret()))) {
      Outcome o = run(cluster, receiver, new Checker(cluster, receiver), length, seed);
      System.out.println(o);
      passed = o.figures().passed();
    }
    // After the cluster is closed: an exit inside the try would leave its redis-server running.
    System.exit(passed ? 0 : 1);
  }

  /** Load and faults for {@code length}, then heal, drain and check. */
  public static Outcome run(ChaosCluster cluster, WebhookReceiver receiver, Checker checker, Duration length, long seed)
      throws InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    Load load = new Load(cluster, receiver.url());
    AtomicBoolean loading = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(2);
    for (String key : List.of(ChaosCluster.KEY_A, ChaosCluster.KEY_B)) {
      SplittableRandom mine = random.split();
      clients.submit(() -> {
        while (loading.get()) {
          load.submit(key, mine.nextInt(200, 5_001), mine.nextLong(), Duration.ofMinutes(5));
          Await.pause(Duration.ofMillis(mine.nextLong(500, 3_000)));
        }
      });
    }
    Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    long end = System.nanoTime() + length.toNanos();
    Fault[] kinds = Fault.values();
    while (System.nanoTime() < end) {
      Await.pause(Duration.ofMillis(random.nextLong(2_000, 6_000)));
      Fault f = kinds[random.nextInt(kinds.length)];
      System.out.println("[chaos] fault " + f);
      f.inject(cluster, receiver, random);
      injected.merge(f, 1, Integer::sum);
    }
    loading.set(false);
    clients.shutdown();
    // A submit in flight keeps trying while its patience lasts: wait for the clients before counting.
    clients.awaitTermination(6, TimeUnit.MINUTES);
    heal(cluster, receiver);
    return new Outcome(checker.check("randomized run", load, Duration.ofMinutes(10)), injected, length);
  }

  /** Every process running and thawed, Redis and the broker up, the receiver answering. */
  static void heal(ChaosCluster cluster, WebhookReceiver receiver) {
    receiver.answer(a -> WebhookReceiver.Reply.ok());
    cluster.restartRedis();
    cluster.restartBroker();
    cluster.services().forEach(Service::start);
    cluster.awaitApis(Duration.ofMinutes(2));
  }
}
