package dev.batchinfer.worker;

import dev.batchinfer.store.model.WorkerStatus;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.Readiness;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.store.model.RegistryStore;
import dev.batchinfer.worker.batch.ChunkSource;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.shadow.ShadowRuns;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.batchinfer.worker.consume.Parking;
import dev.batchinfer.worker.consume.SkipWatch;
import dev.batchinfer.worker.consume.ChunkConsumer;
import dev.batchinfer.worker.consume.ChunkOutcomes;
import dev.batchinfer.worker.consume.ChunkTriage;
import dev.batchinfer.worker.consume.DeadLetters;
import dev.batchinfer.worker.consume.PriorityChunkQueue;
import dev.batchinfer.worker.consume.RecordDispatch;
import dev.batchinfer.worker.consume.Requeue;
import dev.batchinfer.worker.infer.InferenceLoop;
import dev.batchinfer.worker.infer.InferenceWatchdog;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.infer.SimulatedAccelerator;
import dev.batchinfer.worker.infer.ModelKey;
import dev.batchinfer.worker.publish.ResultPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker: consume → batch → infer → publish. Models are loaded and warmed before the consumer
 * joins the group, so a worker never holds partitions it cannot yet serve.
 */
public final class GpuWorkerApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GpuWorkerApp.class);

  private final WorkerSettings settings;
  private final LoadedModels models;
  private final Redis redis;
  private final BatchStores store;
  private final KafkaProducer<byte[], byte[]> producer;
  private final PriorityChunkQueue queue;
  private final ResultPublisher publisher;
  private final ChunkConsumer consumer;
  private final List<InferenceLoop> loops = new ArrayList<>();
  private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>(); // read by a gauge
  private final RegistryStore registry;
  private final Requeue requeue;
  private final ModelTelemetry telemetry;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "worker-heartbeat"));
  private static final Duration HEARTBEAT = Duration.ofSeconds(2);
  /** The exit status of a worker whose inference thread died or hung (EX_SOFTWARE). */
  public static final int EXIT_INFERENCE_STUCK = 70;
  /** Chunks the inference threads took from the queue and have not answered in full. */
  private final java.util.concurrent.atomic.AtomicInteger atModel = new java.util.concurrent.atomic.AtomicInteger();
  private volatile java.util.concurrent.ScheduledFuture<?> watchdog;

  private final WorkerMetrics metrics;
  private final WorkerStatus workerStatus;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private GpuWorkerApp(WorkerSettings settings, LoadedModels models, Metrics processMetrics) {
    this.settings = settings;
    this.models = models;
    Topics topics = settings.common().topics();
    this.redis = Redis.connect(settings.common().redisUrl(), settings.common().redisKeyPrefix(), "worker");
    this.store = BatchStores.over(redis);
    this.producer = KafkaClients.producer(settings);
    processMetrics.bind(producer);
    this.metrics = new WorkerMetrics(processMetrics.registry());
    this.queue = new PriorityChunkQueue(settings.consuming().priorityWeights());
    this.registry = new RegistryStore(redis);
    this.telemetry = new ModelTelemetry(redis);
    this.workerStatus = new WorkerStatus(redis);
    this.requeue = new Requeue(producer, settings.consuming().requeueMaxAge());
    // Made first and handed to both: the publisher says what is done, the consumer commits it.
    ChunkOutcomes outcomes = new ChunkOutcomes();
    SkipWatch skips = new SkipWatch(store.flags()::skips, store.flags()::cancelledAmong);
    this.publisher = new ResultPublisher(store, producer, topics, settings.workerId(), outcomes::published);
    Parking parking = new Parking(skips, store.flags(), store.parked(), outcomes);
    ChunkTriage triage = new ChunkTriage(models, skips, new ShadowRuns(registry, telemetry, models), queue, this::answered,
        parking);
    RecordDispatch dispatch = new RecordDispatch(triage, requeue,
        new DeadLetters(producer, topics, settings.workerId(), kind -> metrics.deadLettered(kind.label)),
        store.records()::find, outcomes);
    var kafkaConsumer = KafkaClients.consumer(settings);
    processMetrics.bind(kafkaConsumer);
    this.consumer = new ChunkConsumer(kafkaConsumer, topics, dispatch, outcomes,
        new ChunkConsumer.Limits(queue, settings.consuming().maxBufferedChunks(), publisher::inFlight, settings.consuming().commitInterval()));
    metrics.watch(consumer::pausedPartitions, this::liveInferenceThreads, consumer::lag);
    MicroBatcher batcher = MicroBatcher.shaped(settings.batching().maxBatchSize(), settings.batching().maxQueueDelay().toNanos(), models::shape);
    ChunkSource counted = ChunkSource.through(queue, c -> taken(parking.runOrPark(c)));
    for (int i = 0; i < settings.threads().inference(); i++) {
      loops.add(new InferenceLoop(counted, batcher, models, c -> {
        answered(c);
        atModel.decrementAndGet(); // after the publisher has it, so a drain never sees it in neither
      }, skips::cancelledItems, metrics));
    }
  }

  /** Chunks fetched and not yet published: waiting, at the model, or being stored. */
  int heldChunks() {
    return queue.size() + atModel.get() + publisher.inFlight();
  }

  private PendingChunk taken(PendingChunk c) {
    if (c != null) {
      atModel.incrementAndGet();
    }
    return c;
  }

  /** Every item of the chunk has its line: shadow copies are compared, real chunks published. */
  private void answered(PendingChunk chunk) {
    chunk.answered();
    if (chunk.isShadow()) {
      return;
    }
    var h = chunk.chunk().header();
    metrics.answered(chunk);
    telemetry.countItems(h.model(), h.modelVersion(), h.batchId(), h.chunkIndex(), chunk.chunk().itemCount(),
        chunk.failedCount(), System.currentTimeMillis());
    publisher.publish(chunk);
  }

  /** Tells the API which versions this worker serves (sync predict needs a live worker). */
  private void heartbeat() {
    try {
      long now = System.currentTimeMillis();
      for (ModelKey key : models.keys()) {
        telemetry.heartbeat(key.model(), key.version(), settings.workerId(), now);
      }
      workerStatus.report(settings.workerId(), JSON.writeValueAsString(metrics.status(settings.workerId(),
          models.keys().stream().map(ModelKey::toString).toList(), now)));
    } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
      log.warn("heartbeat failed: {}", e.toString());
    }
  }

  /**
   * Ready while its consumer is a member of the group and every inference thread runs; not ready
   * while it loads, joins, rebalances after losing its partitions, or drains.
   */
  public Readiness readiness() {
    int held = consumer.partitionsHeld();
    if (held < 0) {
      return Readiness.notReady("consumer not a member of group " + settings.consumerGroup());
    }
    long alive = liveInferenceThreads();
    if (alive < loops.size()) {
      return Readiness.notReady(alive + " of " + loops.size() + " inference threads alive");
    }
    return Readiness.ready("member of group " + settings.consumerGroup() + ", " + held + " partitions");
  }

  private long liveInferenceThreads() {
    return threads.stream().filter(t -> t.getName().startsWith("inference-") && t.isAlive()).count();
  }

  /** With a registry of its own, for hosts that do not scrape it. */
  public static GpuWorkerApp create(WorkerSettings settings) {
    return create(settings, ModelCatalog.load(settings.modelArtifacts()), new Metrics());
  }

  public static GpuWorkerApp create(WorkerSettings settings, ModelCatalog catalog, Metrics metrics) {
    LoadedModels models = LoadedModels.load(catalog, settings.threads().tfIntraOp(), settings.threads().tfInterOp(),
        new SimulatedAccelerator(settings.batching().simulatedAcceleratorCall()));
    return new GpuWorkerApp(settings, models, metrics);
  }

  public GpuWorkerApp start() {
    for (int i = 0; i < loops.size(); i++) {
      threads.add(start(loops.get(i), "inference-" + i));
    }
    List<InferenceWatchdog.Watched> watched = new ArrayList<>();
    for (int i = 0; i < loops.size(); i++) {
      watched.add(new InferenceWatchdog.Watched(threads.get(i), loops.get(i)::callRunningNanos));
    }
    threads.add(start(consumer, "chunk-consumer"));
    heartbeats.scheduleAtFixedRate(this::heartbeat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    InferenceWatchdog dog = new InferenceWatchdog(watched, settings.timeouts().modelCall());
    watchdog = heartbeats.scheduleAtFixedRate(() -> watch(dog), 1, 1, TimeUnit.SECONDS);
    log.info("worker {} serving {} (max batch {}, max queue delay {} ms, {} inference threads)", settings.workerId(),
        models.describe(), settings.batching().maxBatchSize(), settings.batching().maxQueueDelay().toMillis(), settings.threads().inference());
    return this;
  }

  private static Thread start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.start();
    return t;
  }

  /**
   * A dead or hung inference thread: the consumer would go on polling and hold partitions nobody
   * processes. Commit what is finished, leave the group (so the partitions move now, not after the
   * session timeout), and exit for the orchestrator to restart the process. Halt, not exit: the
   * shutdown hook's drain would wait on the very thread that hangs.
   */
  private void watch(InferenceWatchdog dog) {
    String problem = dog.problem(System.nanoTime());
    if (problem == null) {
      return;
    }
    log.error("{}: this worker leaves the group and exits with status {}", problem, EXIT_INFERENCE_STUCK);
    consumer.stop();
    threads.stream().filter(t -> t.getName().equals("chunk-consumer")).forEach(GpuWorkerApp::join);
    Runtime.getRuntime().halt(EXIT_INFERENCE_STUCK);
  }

  /**
   * Drains (SIGTERM): stops fetching, runs the chunks already fetched and publishes them for at most
   * SHUTDOWN_DRAIN_TIMEOUT, then commits what finished and leaves. A chunk not finished by then is
   * read again by another worker: nothing is lost, and nothing that was published runs twice.
   */
  @Override
  public void close() {
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    long deadline = System.nanoTime() + settings.timeouts().shutdownDrain().toNanos();
    consumer.drain();
    loops.forEach(InferenceLoop::drain);
    queue.wakeAll();
    try {
      // Zero three times running: a chunk is between the queue and the counter for an instant.
      for (int zeros = 0; zeros < 3 && System.nanoTime() < deadline; ) {
        zeros = heldChunks() == 0 ? zeros + 1 : 0;
        Thread.sleep(10); // shutdown path only
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("drained: {} chunks left waiting, {} at the model, {} being published", queue.size(), atModel.get(),
        publisher.inFlight());
    loops.forEach(InferenceLoop::stop);
    queue.wakeAll();
    joinInference();
    consumer.stop();
    joinAll();
    release();
  }

  /**
   * Stops at once without committing, as a killed process would: results already written stay,
   * uncommitted chunks are redelivered to another worker. For fault tests.
   */
  public void halt() {
    consumer.halt();
    loops.forEach(InferenceLoop::stop);
    queue.wakeAll();
    joinAll();
    release();
  }

  private void joinInference() {
    threads.stream().filter(t -> t.getName().startsWith("inference-")).forEach(GpuWorkerApp::join);
  }

  private void joinAll() {
    threads.forEach(GpuWorkerApp::join);
  }

  private static void join(Thread t) {
    try {
      t.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void release() {
    heartbeats.shutdownNow();
    requeue.close();
    publisher.close();
    producer.close(Duration.ofSeconds(5));
    redis.close();
    models.close();
  }
}
