package dev.batchinfer.progress;

import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.progress.ProgressService;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.progress.ExpiryScanner;
import dev.batchinfer.progress.GhostSweeper;
import dev.batchinfer.progress.KeyedRecordFinder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import dev.batchinfer.store.model.RegistryStore;
import dev.batchinfer.progress.rollout.RolloutGuard;
import dev.batchinfer.observability.Readiness;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The result-store service: the progress topology writing status into Redis. */
public final class ResultStoreApp implements AutoCloseable {

  private final Redis redis;
  private final ProgressService progress;
  private final RegistryStore registry;
  private final ModelTelemetry telemetry;
  private final ScheduledExecutorService guards =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "rollout-guard"));
  private final RolloutGuard guard;
  private final RolloutGuard.Policy policy;
  private final KafkaProducer<String, dev.batchinfer.topics.message.ProgressEvent> producer;
  private final ExpiryScanner expiries;
  private final KeyedRecordFinder finder;
  private final GhostSweeper ghosts;
  private final HangingTransactions hanging;
  private final AppendSweeper appends;
  // Its own thread: a search waits on Kafka for up to its budget, and expiry scans must not wait behind it.
  private final ScheduledExecutorService sweeps =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ghost-sweeper"));

  private ResultStoreApp(CommonSettings settings, Path stateDir, int standbyReplicas, Collection<String> models,
      RolloutGuard.Policy policy, MeterRegistry meters) {
    this.redis = Redis.connect(settings.redisUrl(), settings.redisKeyPrefix(), "progress");
    BatchStores store = BatchStores.over(redis);
    this.progress = new ProgressService(settings.kafkaBootstrapServers(), settings.topics(), stateDir, standbyReplicas, store,
        meters);
    this.registry = new RegistryStore(redis);
    this.telemetry = new ModelTelemetry(redis);
    this.policy = policy;
    this.guard = policy == null ? null : new RolloutGuard(() -> models, registry, telemetry, policy);
    var topic = settings.topics().progress();
    this.producer = new KafkaProducer<>(java.util.Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        settings.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        topic.keySerde().serializer(), topic.valueSerde().serializer());
    this.expiries = new ExpiryScanner(store, new BatchControl(store.flags(), producer, topic),
        new ExpiryReasons(store.queue(), telemetry));
    this.finder = new KeyedRecordFinder(settings.kafkaBootstrapServers(), java.time.Duration.ofSeconds(10));
    this.ghosts = new GhostSweeper(store, settings.topics(), finder);
    this.appends = new AppendSweeper(store, settings.topics(), finder);
    this.hanging = new HangingTransactions(settings.kafkaBootstrapServers(), settings.topics(),
        ProgressService.applicationId(settings.topics()), HangingTransactions.DEFAULT_GRACE, System::currentTimeMillis,
        meters);
  }

  /** Progress only, no rollout guard. */
  public static ResultStoreApp create(CommonSettings settings, Path stateDir, MeterRegistry meters) {
    return new ResultStoreApp(settings, stateDir, ProgressSettings.DEFAULT_STANDBY_REPLICAS, List.of(), null, meters);
  }

  /** Progress, plus the automated rollback of the given models' canaries. */
  public static ResultStoreApp create(CommonSettings settings, Path stateDir, Collection<String> models,
      RolloutGuard.Policy policy, MeterRegistry meters) {
    return new ResultStoreApp(settings, stateDir, ProgressSettings.DEFAULT_STANDBY_REPLICAS, List.copyOf(models), policy,
        meters);
  }

  /**
   * The service as its main runs it: the settings' state directory and standby replicas, and the
   * automated rollback of {@code models}' canaries unless there are none.
   */
  public static ResultStoreApp create(ProgressSettings settings, Collection<String> models, MeterRegistry meters) {
    return new ResultStoreApp(settings.common(), settings.stateDir(), settings.standbyReplicas(), List.copyOf(models),
        models.isEmpty() ? null : settings.rollback(), meters);
  }

  public ResultStoreApp start() {
    progress.start();
    guards.scheduleWithFixedDelay(expiries, 1, 1, TimeUnit.SECONDS);
    sweeps.scheduleWithFixedDelay(ghosts, 5, 5, TimeUnit.SECONDS);
    sweeps.scheduleWithFixedDelay(appends, 5, 5, TimeUnit.SECONDS);
    long every = HangingTransactions.DEFAULT_INTERVAL.toMillis();
    sweeps.scheduleWithFixedDelay(hanging, every, every, TimeUnit.MILLISECONDS);
    if (guard != null) {
      long interval = policy.interval().toMillis();
      guards.scheduleWithFixedDelay(guard, interval, interval, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  public ProgressService progress() {
    return progress;
  }

  /** Ready while the topology runs; not while it starts, rebalances, restores its state or stops. */
  public Readiness readiness() {
    KafkaStreams.State state = progress.state();
    return state == KafkaStreams.State.RUNNING ? Readiness.ready("streams RUNNING")
        : Readiness.notReady("streams " + state);
  }

  @Override
  public void close() {
    guards.shutdownNow();
    sweeps.shutdownNow();
    try {
      sweeps.awaitTermination(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    finder.close();
    hanging.close();
    producer.close(java.time.Duration.ofSeconds(5));
    progress.close();
    redis.close();
  }
}
