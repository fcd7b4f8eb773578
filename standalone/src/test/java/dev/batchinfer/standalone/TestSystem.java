package dev.batchinfer.standalone;

import dev.batchinfer.api.ApiSettings;
import dev.batchinfer.api.ProducerApiApp;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.callback.CallbackDispatcherApp;
import dev.batchinfer.callback.DispatcherSettings;
import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.progress.ResultStoreApp;
import dev.batchinfer.progress.ProgressSettings;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.worker.GpuWorkerApp;
import dev.batchinfer.worker.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The services of one test, each started on demand in the test's own namespace of the shared
 * broker and Redis, so a test can stop a worker, start another, or run without one.
 */
final class TestSystem implements AutoCloseable {

  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  final TestNamespace ns;
  final Topics topics;
  private final Map<String, String> env = new HashMap<>();
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private ProducerApiApp api;
  /** The registry all of this test's services count on, as one process's would. */
  final Metrics metrics = Metrics.forProcess();

  TestSystem(String name, Map<String, String> settings) {
    ns = TestNamespace.create(name);
    topics = Topics.withPrefix(ns.topicPrefix());
    env.putAll(ns.env(Map.of(
        "API_PORT", "0",
        "MODEL_ARTIFACTS", "../model-artifacts",
        "API_INSTANCE_ID", ns.topicPrefix() + "api",
        "TF_INTRA_OP_THREADS", "2",
        "CALLBACK_ALLOW_HTTP", "true",
        "CALLBACK_ALLOWED_CIDRS", "127.0.0.0/8",
        "WEBHOOK_SECRETS", SECRET,
        "API_KEYS", ApiClient.API_KEYS,
        // Tests send requests as fast as they can; the limits have their own test.
        "RATE_REQUESTS_PER_SECOND", "100000")));
    env.putAll(settings);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      TopicCreator.ensure(admin, topics, dev.batchinfer.topics.Replication.forCluster(TestInfra.brokers(),
          java.util.Optional.empty(), java.util.Optional.empty()));
    }
  }

  Env env() {
    return Env.of(env);
  }

  /** The environment every service of this test reads (for one started in another JVM). */
  Map<String, String> envMap() {
    return Map.copyOf(env);
  }

  CommonSettings common() {
    return CommonSettings.from(env());
  }

  TestSystem withResultStore() {
    try {
      Path state = Files.createTempDirectory("streams-" + ns.topicPrefix());
      // Popped just after the result store pushed next has closed: nothing writes there any more.
      running.push(() -> org.apache.kafka.common.utils.Utils.delete(state.toFile()));
      var models = ModelCatalog.load(Path.of(env.get("MODEL_ARTIFACTS"))).modelIds();
      running.push(ResultStoreApp.create(common(), state, models, ProgressSettings.rollback(env()), metrics.registry()).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  TestSystem withDispatcher() {
    running.push(CallbackDispatcherApp.create(DispatcherSettings.from(env()).with(common(), "http://127.0.0.1:0"), metrics).start());
    return this;
  }

  TestSystem withApi() {
    ApiSettings settings = ApiSettings.from(env());
    api = ProducerApiApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), metrics).start();
    running.push(api);
    return this;
  }

  GpuWorkerApp startWorker(WorkerSettings settings) {
    GpuWorkerApp worker = GpuWorkerApp.create(settings, ModelCatalog.load(settings.modelArtifacts()), metrics).start();
    running.push(worker);
    return worker;
  }

  WorkerSettings workerSettings(String workerId) {
    return workerSettings(workerId, Map.of());
  }

  WorkerSettings workerSettings(String workerId, Map<String, String> overrides) {
    Map<String, String> e = new HashMap<>(env);
    e.putAll(overrides);
    return WorkerSettings.from(Env.of(e)).withWorkerId(workerId);
  }

  /** How many events of {@code type} for the batch are committed on the batch-events topic. */
  long batchEvents(String batchId, String type) {
    return dev.batchinfer.embedded.testing.TopicReader.readAll(topics.batchEvents().name(), true).stream()
        .map(r -> topics.batchEvents().valueSerde().deserializer().deserialize("", r.value()))
        .filter(e -> e.batchId().equals(batchId) && e.type().equals(type)).count();
  }

  int apiPort() {
    return api.port();
  }

  ApiClient api() {
    return new ApiClient(api.port());
  }

  @Override
  public void close() {
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        System.err.println("while stopping: " + e);
      }
    }
    metrics.close();
  }
}
