package dev.batchinfer.worker;

import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.topics.message.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The worker's settings, read from environment variables and validated once, in groups: each group
 * is what one part of the worker needs, and a copy with one value changed touches one group.
 */
public record WorkerSettings(CommonSettings common, Path modelArtifacts, Batching batching, Threads threads,
    Consuming consuming, Timeouts timeouts) {

  /**
   * @param maxBatchSize WORKER_MAX_BATCH_SIZE, items per model call at most (a model's own
   *     max_batch_size caps it further)
   * @param maxQueueDelay WORKER_MAX_QUEUE_DELAY, how long a call waits for more items
   * @param simulatedAcceleratorCall SIMULATED_ACCELERATOR_CALL, for scale-out measurements only: every model
   *     call takes this long, one at a time, as on one GPU (see SimulatedAccelerator); zero (the default) is off
   */
  public record Batching(int maxBatchSize, Duration maxQueueDelay, Duration simulatedAcceleratorCall) {}

  /**
   * @param inference WORKER_INFERENCE_THREADS, model calls in parallel
   * @param tfIntraOp TF_INTRA_OP_THREADS, threads inside one TensorFlow op
   * @param tfInterOp TF_INTER_OP_THREADS, TensorFlow ops in parallel; by default one per inference
   *     thread, because TensorFlow's inter-op pool is shared by the whole process and a pool of one
   *     would run the inference threads' model calls one after another
   */
  public record Threads(int inference, int tfIntraOp, int tfInterOp) {}

  /**
   * @param groupId WORKER_GROUP_ID, the consumer group all workers join
   * @param workerId WORKER_ID, this instance's name in logs and progress events
   * @param maxBufferedChunks WORKER_MAX_BUFFERED_CHUNKS, fetched-but-unstarted chunks per priority
   *     before that priority's partitions are paused
   * @param priorityWeights WORKER_PRIORITY_WEIGHTS "high,normal,low" shares when all are waiting
   * @param commitInterval WORKER_COMMIT_INTERVAL, how often finished offsets are committed
   * @param fetchMaxWait WORKER_FETCH_MAX_WAIT, how long the broker may hold a fetch that found no
   *     records; see {@link #DEFAULT_FETCH_MAX_WAIT}
   * @param requeueMaxAge WORKER_REQUEUE_MAX_AGE, how long a chunk pinned to a version this worker
   *     lacks keeps being handed back for another worker before its items are answered with errors
   */
  public record Consuming(String groupId, String workerId, int maxBufferedChunks, Map<Priority, Integer> priorityWeights,
      Duration commitInterval, Duration fetchMaxWait, Duration requeueMaxAge) {}

  /**
   * @param modelCall MODEL_CALL_TIMEOUT, the longest one micro-batch may take in the model: past it
   *     (or when an inference thread dies) the worker leaves the group and exits with status
   *     {@code 70}, for an orchestrator to restart it, rather than hold partitions it cannot process
   * @param shutdownDrain SHUTDOWN_DRAIN_TIMEOUT, how long a worker told to stop (SIGTERM) runs the
   *     chunks it has fetched before it commits and leaves; what is left then is read again by
   *     another worker. Keep it below the orchestrator's grace period (Kubernetes: 30 s)
   */
  public record Timeouts(Duration modelCall, Duration shutdownDrain) {}

  public static final int DEFAULT_MAX_BATCH_SIZE = 256;
  public static final Duration DEFAULT_MAX_QUEUE_DELAY = Duration.ofMillis(5);
  /** Zero: no simulated accelerator, the model's own calls are timed as they are. */
  public static final Duration DEFAULT_SIMULATED_ACCELERATOR_CALL = Duration.ZERO;
  public static final int DEFAULT_INFERENCE_THREADS = 1;
  public static final int DEFAULT_MAX_BUFFERED_CHUNKS = 16;
  public static final String DEFAULT_PRIORITY_WEIGHTS = "16,4,1";
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);
  public static final String DEFAULT_GROUP_ID = dev.batchinfer.config.CommonSettings.DEFAULT_WORKER_GROUP_ID;
  public static final Duration DEFAULT_REQUEUE_MAX_AGE = Duration.ofMinutes(10);
  public static final Duration DEFAULT_MODEL_CALL_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_SHUTDOWN_DRAIN_TIMEOUT = Duration.ofSeconds(20);
  public static final String DEFAULT_MODEL_ARTIFACTS = "model-artifacts";
  /**
   * Kafka's default is 500 ms, and a consumer has one fetch in flight per broker. A fetch that
   * names only partitions with nothing new (the empty priorities' while the busy one is paused for
   * backpressure, or a partition already read to its end) is held for the whole wait, and no
   * fetch for the partitions that have records can go out meanwhile: the worker sits idle while
   * chunks wait for it. The price of a short wait is an idle worker asking about 40 times a second.
   */
  public static final Duration DEFAULT_FETCH_MAX_WAIT = Duration.ofMillis(25);

  public static WorkerSettings from(Env env) {
    int cores = Runtime.getRuntime().availableProcessors();
    int inferenceThreads = env.integer("WORKER_INFERENCE_THREADS", DEFAULT_INFERENCE_THREADS, 1, 64);
    return new WorkerSettings(
        CommonSettings.from(env),
        Path.of(env.string("MODEL_ARTIFACTS", DEFAULT_MODEL_ARTIFACTS)),
        new Batching(env.integer("WORKER_MAX_BATCH_SIZE", DEFAULT_MAX_BATCH_SIZE, 1, 65_536),
            env.duration("WORKER_MAX_QUEUE_DELAY", DEFAULT_MAX_QUEUE_DELAY),
            env.duration("SIMULATED_ACCELERATOR_CALL", DEFAULT_SIMULATED_ACCELERATOR_CALL)),
        new Threads(inferenceThreads, env.integer("TF_INTRA_OP_THREADS", cores, 1, 256),
            env.integer("TF_INTER_OP_THREADS", inferenceThreads, 1, 256)),
        new Consuming(env.string("WORKER_GROUP_ID", DEFAULT_GROUP_ID), env.string("WORKER_ID", defaultWorkerId()),
            env.integer("WORKER_MAX_BUFFERED_CHUNKS", DEFAULT_MAX_BUFFERED_CHUNKS, 1, 10_000),
            weights(env.string("WORKER_PRIORITY_WEIGHTS", DEFAULT_PRIORITY_WEIGHTS)),
            env.duration("WORKER_COMMIT_INTERVAL", DEFAULT_COMMIT_INTERVAL),
            env.duration("WORKER_FETCH_MAX_WAIT", DEFAULT_FETCH_MAX_WAIT),
            env.duration("WORKER_REQUEUE_MAX_AGE", DEFAULT_REQUEUE_MAX_AGE)),
        new Timeouts(env.duration("MODEL_CALL_TIMEOUT", DEFAULT_MODEL_CALL_TIMEOUT),
            env.duration("SHUTDOWN_DRAIN_TIMEOUT", DEFAULT_SHUTDOWN_DRAIN_TIMEOUT)));
  }

  public WorkerSettings with(CommonSettings c) {
    return new WorkerSettings(c, modelArtifacts, batching, threads, consuming, timeouts);
  }

  public WorkerSettings withCommitInterval(Duration d) {
    Consuming k = consuming;
    return with(new Consuming(k.groupId(), k.workerId(), k.maxBufferedChunks(), k.priorityWeights(), d, k.fetchMaxWait(),
        k.requeueMaxAge()));
  }

  public WorkerSettings withWorkerId(String id) {
    Consuming k = consuming;
    return with(new Consuming(k.groupId(), id, k.maxBufferedChunks(), k.priorityWeights(), k.commitInterval(),
        k.fetchMaxWait(), k.requeueMaxAge()));
  }

  private WorkerSettings with(Consuming k) {
    return new WorkerSettings(common, modelArtifacts, batching, threads, k, timeouts);
  }

  /** Shorthands for what most of the worker asks. */
  public String workerId() {
    return consuming.workerId();
  }

  /** The consumer group the workers join: TOPIC_PREFIX then WORKER_GROUP_ID (what lag-based autoscalers watch). */
  public String consumerGroup() {
    return common.topicPrefix() + consuming.groupId();
  }

  static Map<Priority, Integer> weights(String text) {
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new Env.SettingException("WORKER_PRIORITY_WEIGHTS must be three integers high,normal,low such as 16,4,1, got '" + text + "'");
    }
    Map<Priority, Integer> w = new EnumMap<>(Priority.class);
    Priority[] order = {Priority.HIGH, Priority.NORMAL, Priority.LOW};
    for (int i = 0; i < 3; i++) {
      try {
        int v = Integer.parseInt(parts[i].trim());
        if (v < 1) {
          throw new NumberFormatException();
        }
        w.put(order[i], v);
      } catch (NumberFormatException e) {
        throw new Env.SettingException("WORKER_PRIORITY_WEIGHTS needs positive integers, got '" + text + "'");
      }
    }
    return w;
  }

  private static String defaultWorkerId() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
    } catch (java.net.UnknownHostException e) {
      return "worker-" + ProcessHandle.current().pid();
    }
  }
}
