package dev.batchinfer.standalone;

import dev.batchinfer.api.ApiSettings;
import dev.batchinfer.api.ProducerApiApp;
import dev.batchinfer.callback.CallbackDispatcherApp;
import dev.batchinfer.callback.DispatcherSettings;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.Readiness;
import dev.batchinfer.observability.ProcessSettings;
import dev.batchinfer.observability.ServiceProcess;
import dev.batchinfer.observability.MetricsSettings;
import dev.batchinfer.progress.ResultStoreApp;
import dev.batchinfer.progress.ProgressSettings;
import dev.batchinfer.topics.TopicCreator;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.worker.GpuWorkerApp;
import dev.batchinfer.worker.WorkerSettings;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Every service in one JVM against a given Kafka and Redis: topics, the progress topology, the
 * dispatcher, the workers and the API, started in data-flow-safe order and stopped in reverse.
 */
public final class StandaloneApp implements AutoCloseable {

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private ProducerApiApp api;
  private ServiceProcess process;

  private StandaloneApp() {}

  /**
   * @param env service settings (API_PORT, WORKER_*, ...); its Kafka and Redis addresses are
   *     replaced by the given ones
   */
  public static StandaloneApp start(Env env, String kafkaBootstrap, String redisUrl, Path stateDir) {
    StandaloneApp app = new StandaloneApp();
    try {
      app.startAll(env, kafkaBootstrap, redisUrl, stateDir);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startAll(Env env, String kafkaBootstrap, String redisUrl, Path stateDir) {
    CommonSettings common = CommonSettings.from(env).withKafka(kafkaBootstrap).withRedis(redisUrl);
    // One registry for the process, closed last; every service counts on it.
    process = ServiceProcess.start(ProcessSettings.from(env, "batch-inference",
        MetricsSettings.DEFAULT_STANDALONE_PORT));
    started.push(process);
    Metrics metrics = process.metrics();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap))) {
      TopicCreator.ensure(admin, common.topics(), (short) 1);
    }
    ApiSettings apiSettings = ApiSettings.from(env).withCommon(common);
    ModelCatalog catalog = ModelCatalog.load(apiSettings.modelArtifacts());
    started.push(ResultStoreApp.create(common, stateDir, catalog.modelIds(), ProgressSettings.rollback(env), metrics.registry()).start());
    started.push(CallbackDispatcherApp.create(DispatcherSettings.from(env).with(common, apiSettings.publicBaseUrl()), metrics).start());
    started.push(GpuWorkerApp.create(WorkerSettings.from(env).with(common), catalog, metrics).start());
    api = ProducerApiApp.create(apiSettings, catalog, metrics).start();
    started.push(api);
    process.readyWhen(() -> Readiness.ready("every service started"));
  }

  /** The management port serving GET /metrics, or -1 when METRICS_PORT is off. */
  public int metricsPort() {
    return process == null ? -1 : process.metricsPort();
  }

  public int apiPort() {
    return api.port();
  }

  /** Stops the API first (no new work), then workers, dispatcher and topology. */
  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e);
      }
    }
  }
}
