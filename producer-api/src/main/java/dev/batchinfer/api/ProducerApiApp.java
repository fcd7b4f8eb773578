package dev.batchinfer.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.callbacks.CallbackHandlers;
import dev.batchinfer.api.idempotency.IdempotencyStore;
import dev.batchinfer.api.lifecycle.CancelHandler;
import dev.batchinfer.api.lifecycle.ParkedRelease;
import dev.batchinfer.api.lifecycle.PauseHandler;
import dev.batchinfer.api.lifecycle.PriorityHandler;
import dev.batchinfer.api.lifecycle.EventStream;
import dev.batchinfer.topics.message.ProgressEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import dev.batchinfer.api.limits.Capacity;
import dev.batchinfer.api.limits.CapacityHandler;
import dev.batchinfer.api.limits.PublishedLimits;
import dev.batchinfer.api.limits.RateLimiter;
import dev.batchinfer.api.limits.TenantLimits;
import dev.batchinfer.api.models.ModelHandlers;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.models.SyncPredictHandler;
import dev.batchinfer.api.openai.OpenAiApi;
import dev.batchinfer.api.submit.BatchAcceptor;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.store.model.RegistryStore;
import java.util.List;
import java.util.Map;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.api.problem.ProblemRenderer;
import dev.batchinfer.api.read.BatchList;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.api.read.EtaEstimator;
import dev.batchinfer.api.read.ReadHandlers;
import dev.batchinfer.api.read.SystemView;
import dev.batchinfer.store.model.WorkerStatus;
import dev.batchinfer.api.submit.BodyMemory;
import dev.batchinfer.api.submit.RequestBodies;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.ChunkPublisher;
import dev.batchinfer.api.submit.ProducerFactory;
import dev.batchinfer.api.submit.SubmitHandler;
import dev.batchinfer.api.submit.AppendHandler;
import dev.batchinfer.api.submit.Appender;
import dev.batchinfer.api.lifecycle.Finalizer;
import dev.batchinfer.api.lifecycle.FinalizeHandler;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.api.metrics.ApiMetrics;
import dev.batchinfer.api.metrics.RequestContext;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.MetricsServer;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.webhook.WebhookStore;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The producer API: routes, error rendering and request ids, built from its parts. */
public final class ProducerApiApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProducerApiApp.class);
  private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Javalin javalin;
  private final List<String> routes;
  private final List<AutoCloseable> resources;
  private final ApiSettings settings;

  private ProducerApiApp(Javalin javalin, List<String> routes, List<AutoCloseable> resources, ApiSettings settings) {
    this.javalin = javalin;
    this.routes = routes;
    this.resources = resources;
    this.settings = settings;
  }

  /** How long a client is told to wait when Redis is unavailable: about one command timeout. */
  static final java.time.Duration REDIS_RETRY_AFTER = java.time.Duration.ofSeconds(5);

  /** With a registry of its own, for hosts that do not scrape it. */
  public static ProducerApiApp create(ApiSettings settings) {
    return create(settings, ModelCatalog.load(settings.modelArtifacts()), new Metrics());
  }

  public static ProducerApiApp create(ApiSettings settings, ModelCatalog catalog, Metrics metrics) {
    ObjectMapper json = new ObjectMapper();
    Redis redis = Redis.connect(settings.common().redisUrl(), settings.common().redisKeyPrefix(), "api");
    BatchStores store = BatchStores.over(redis);
    WebhookStore webhooks = new WebhookStore(redis);
    RegistryStore registry = new RegistryStore(redis);
    ModelTelemetry telemetry = new ModelTelemetry(redis);
    ApiSettings.Kafka kafka = settings.kafka();
    ApiSettings.Batches batches = settings.batches();
    ApiSettings.Limits limits = settings.limits();
    ProducerFactory producers = ProducerFactory.kafka(settings.common().kafkaBootstrapServers(), metrics);
    ChunkPublisher publisher = new ChunkPublisher(producers, settings.common().topics(), kafka.instanceId(), "",
        kafka.producers(), "submits", kafka.submitTimeout(), ApiSettings.SUBMIT_TRANSACTION_TIMEOUT);
    ChunkPublisher uploads = new ChunkPublisher(producers, settings.common().topics(), kafka.instanceId(), "upload",
        settings.uploads().producers(), "uploads", kafka.submitTimeout(), settings.uploadTransactionTimeout());
    EtaEstimator eta = new EtaEstimator(store.queue(), telemetry, batches.estimatedItemsPerSecond(), Clock.systemUTC());
    BatchView view = new BatchView(json, settings.publicBaseUrl(), eta);
    BatchRequestReader reader = new BatchRequestReader(json, catalog, limits.chunkMaxItems(), limits.chunkMaxBytes(),
        limits.maxBatchItems(), batches.callbacks());
    ModelRouter router = new ModelRouter(catalog, registry);
    RateLimiter limiter = new RateLimiter(redis);
    TenantLimits tenantLimits = new TenantLimits(limiter, store.quota(), settings.tenantLimits());
    CapacityHandler capacity = new CapacityHandler(new Capacity(store.queue(), eta, router, telemetry, store.quota(),
        limiter, settings.tenantLimits(), Clock.systemUTC()), limits.maxBatchItems());
    BodyMemory bodyMemory = new BodyMemory(limits.bodyMemoryBytes(), kafka.submitTimeout());
    ApiMetrics apiMetrics = new ApiMetrics(metrics.registry(), bodyMemory, limits.bodyMemoryBytes());
    BatchAcceptor acceptor = new BatchAcceptor(store, publisher, uploads, Clock.systemUTC(),
        batches.estimatedItemsPerSecond(), tenantLimits, batches.completionWindow(), batches.retention(),
        settings.uploads().timeout(), apiMetrics);
    IdempotencyStore idempotency = new IdempotencyStore(redis,
        IdempotencyStore.claimTtl(settings.uploads().timeout(), kafka.submitTimeout()));
    RequestBodies bodies = new RequestBodies(limits.maxRequestBytes(), settings.uploads().guard(), bodyMemory);
    SubmitHandler submit = new SubmitHandler(reader, router, acceptor, view, bodies, settings.uploads().maxNdjsonItems(),
        idempotency, json);
    ReadHandlers read = new ReadHandlers(store, view);
    CallbackHandlers callbacks = new CallbackHandlers(store, webhooks, json);
    ModelHandlers models = new ModelHandlers(router, registry, telemetry, json);
    Authenticator authenticator = new Authenticator(settings.apiKeys());
    var progress = settings.common().topics().progress();
    KafkaProducer<String, ProgressEvent> control = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.common().kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) kafka.submitTimeout().toMillis()),
        progress.keySerde().serializer(), progress.valueSerde().serializer());
    metrics.bind(control);
    BatchControl batchControl = new BatchControl(store.flags(), control, progress);
    Finalizer finalizer = new Finalizer(store, batchControl, kafka.submitTimeout());
    CancelHandler cancel = new CancelHandler(store, batchControl, kafka.submitTimeout(), finalizer);
    AppendHandler append = new AppendHandler(store, reader, router, new Appender(store, publisher, uploads, tenantLimits,
        Clock.systemUTC(), settings.uploads().timeout()), bodies, settings.uploads().maxNdjsonItems(), idempotency, view,
        json);
    var movingProducer = producers.create(Map.of(ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) kafka.submitTimeout().toMillis()));
    ParkedRelease parkedRelease = new ParkedRelease(store, movingProducer, settings.common().topics(), kafka.submitTimeout())
        .start();
    PriorityHandler reprioritise = PriorityHandler.create(store, batchControl, settings.common().kafkaBootstrapServers(),
        settings.common().topics(), settings.common().topicPrefix() + kafka.workerGroupId(), movingProducer, json,
        kafka.submitTimeout());
    PauseHandler pause = new PauseHandler(store, batchControl, parkedRelease, kafka.submitTimeout());
    SyncPredictHandler predict = new SyncPredictHandler(reader, bodies, router, acceptor, store, telemetry, json,
        settings.sync().maxItems(), settings.sync().timeout());
    ProblemRenderer problems = new ProblemRenderer(json);

    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      // The dashboard: static files, no build step; every call it makes carries the key the user gave it.
      config.staticFiles.add(files -> {
        files.hostedPath = "/dashboard";
        files.directory = "/dashboard";
        files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
      });
      config.jsonMapper(new JavalinJackson(json, false));
      config.http.defaultContentType = "application/json";
      config.requestLogger.http(apiMetrics::request);
      // What Jetty answers before a route (an ambiguous path, a malformed request) is problem+json too.
      var jettyProblems = new dev.batchinfer.api.problem.JettyProblems(json);
      config.jetty.modifyServer(server -> server.setErrorHandler(jettyProblems));
      config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(jettyProblems));
    });
    app.before(ctx -> {
      String given = ctx.header(ProblemRenderer.REQUEST_ID_HEADER);
      String id = given != null && CLIENT_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
      ctx.header(ProblemRenderer.REQUEST_ID_HEADER, id);
      RequestContext.begin(ctx, id);
    });
    Routes routes = new Routes(app);
    String openApi = readResource("/openapi.json");
    routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
    app.before("/v1/*", authenticator::authenticate);
    app.before("/v1/*", tenantLimits::admitRequest);
    routes.post("/v1/batch/predict", submit);
    routes.get("/v1/batches", new BatchList(store.records(), view)::list);
    routes.get("/v1/batch/{id}/status", read::status);
    routes.get("/v1/batch/{id}/results", read::results);
    routes.get("/v1/models", models::list);
    routes.get("/v1/models/{id}", models::get);
    routes.get("/v1/models/{id}/shadow-report", models::shadowReport);
    routes.post("/v1/models/{id}/rollback", models::rollback);
    routes.put("/v1/models/{id}/deployment", models::replace);
    routes.post("/v1/models/{id}/predict", predict::handle);
    routes.post("/v1/batch/{id}/cancel", cancel::cancel);
    routes.post("/v1/batch/{id}/items", append::append);
    routes.post("/v1/batch/{id}/finalize", new FinalizeHandler(store, finalizer)::handle);
    routes.post("/v1/batch/{id}/pause", pause::pause);
    routes.post("/v1/batch/{id}/resume", pause::resume);
    routes.patch("/v1/batch/{id}", reprioritise::patch);
    routes.post("/v1/batch/{id}/retry", new dev.batchinfer.api.lifecycle.RetryHandler(store, acceptor, reader, router, view)::retry);
    routes.get("/v1/batch/{id}/events", new EventStream(store, view, json)::stream);
    routes.get("/v1/batch/{id}/callbacks", callbacks::list);
    OpenAiApi openAi = new OpenAiApi(redis, store, reader, router, acceptor, cancel,
        new RequestBodies(settings.openAi().maxFileBytes(), settings.uploads().guard(), bodyMemory), json,
        settings.uploads().maxNdjsonItems(),
        settings.sync().maxItems(), settings.uploads().timeout(), settings.openAi().fileRetention());
    app.before(OpenAiApi.PREFIX + "/*", authenticator::authenticate);
    app.before(OpenAiApi.PREFIX + "/*", tenantLimits::admitRequest);
    routes.post(OpenAiApi.PREFIX + "/files", openAi.uploadFile());
    routes.get(OpenAiApi.PREFIX + "/files", openAi.listFiles());
    routes.get(OpenAiApi.PREFIX + "/files/{id}", openAi.retrieveFile());
    routes.get(OpenAiApi.PREFIX + "/files/{id}/content", openAi.fileContent());
    routes.delete(OpenAiApi.PREFIX + "/files/{id}", openAi.deleteFile());
    routes.post(OpenAiApi.PREFIX + "/batches", openAi.createBatch());
    routes.get(OpenAiApi.PREFIX + "/batches", openAi.listBatches());
    routes.get(OpenAiApi.PREFIX + "/batches/{id}", openAi.retrieveBatch());
    routes.post(OpenAiApi.PREFIX + "/batches/{id}/cancel", openAi.cancelBatch());
    routes.post("/v1/batch/{id}/callbacks/redeliver", callbacks::redeliver);
    // The scrape on the API port needs an admin key; the management port (METRICS_PORT) needs none.
    routes.get("/v1/metrics", ctx -> {
      Authenticator.requireAdmin(ctx);
      ctx.contentType(MetricsServer.CONTENT_TYPE).result(metrics.scrape());
    });
    Map<String, Object> published = PublishedLimits.of(settings, catalog);
    routes.get("/v1/limits", ctx -> ctx.json(published));
    routes.get("/v1/capacity", capacity::get);
    routes.get("/v1/system", new SystemView(store.queue(), new WorkerStatus(redis), json)::get);
    routes.get("/health", ctx -> {
      boolean redisUp = limiter.reachable();
      ctx.status(redisUp ? 200 : 503).json(java.util.Map.of("status", redisUp ? "ok" : "degraded",
          "redis", redisUp ? "up" : "down"));
    });
    app.exception(ApiException.class, (e, ctx) -> problems.render(ctx, capacity.withFigures(ctx, e)));
    // The one place a Redis failure becomes an answer: 503, so clients retry instead of giving up.
    app.exception(io.lettuce.core.RedisException.class, (e, ctx) -> {
      log.warn("{} {}: Redis is unavailable (request {}): {}", ctx.method(), ctx.path(),
          ctx.res().getHeader(ProblemRenderer.REQUEST_ID_HEADER), e.toString());
      problems.render(ctx, new RetriableApiException("the batch store (Redis) is unavailable; retry later",
          REDIS_RETRY_AFTER));
    });
    app.exception(Exception.class, (e, ctx) -> {
      log.error("{} {} failed (request {})", ctx.method(), ctx.path(), ctx.res().getHeader(ProblemRenderer.REQUEST_ID_HEADER), e);
      problems.render(ctx, new ApiException(500, "internal", "Internal error",
          "the server failed; quote the request id when reporting it", null, null));
    });
    // Javalin's own answers (no such route, wrong method, unreadable request) become problems too,
    // unless a handler already wrote one.
    app.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> problems.render(ctx,
        new ApiException(e.getStatus(), e.getStatus() == 404 ? "not-found" : "http-" + e.getStatus(),
            e.getStatus() == 404 ? "Not found" : "Request refused",
            e.getStatus() == 404 ? "no route " + ctx.method() + " " + ctx.path() : e.getMessage(), null, null)));
    for (int status : new int[] {404, 405}) {
      app.error(status, ctx -> {
        String type = ctx.res().getContentType();
        if (type == null || !type.startsWith(ProblemRenderer.CONTENT_TYPE)) {
          problems.render(ctx, new ApiException(ctx.statusCode(), ctx.statusCode() == 404 ? "not-found" : "method-not-allowed",
              ctx.statusCode() == 404 ? "Not found" : "Method not allowed",
              "no route " + ctx.method() + " " + ctx.path(), null, null));
        }
      });
    }
    // Closed in this order: the publisher first, so no submit is left half-way.
    return new ProducerApiApp(app, routes.registered(),
        List.of(publisher, uploads, reprioritise, parkedRelease, control, idempotency, redis), settings);
  }

  public ProducerApiApp start() {
    javalin.start(settings.http().host(), settings.http().port());
    return this;
  }

  /** "METHOD /path" of every route the server registered (the OpenAPI document must list each). */
  public List<String> routes() {
    return routes;
  }

  private static String readResource(String name) {
    try (var in = ProducerApiApp.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("resource " + name + " is missing from the jar", e);
    }
  }

  /** The bound port (useful when the settings asked for port 0). */
  public int port() {
    return javalin.port();
  }

  @Override
  public void close() {
    javalin.stop();
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        log.warn("while closing {}: {}", r.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
