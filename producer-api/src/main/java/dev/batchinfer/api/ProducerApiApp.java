package dev.batchinfer.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.callbacks.CallbackHandlers;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.problem.ProblemRenderer;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.api.read.ReadHandlers;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.ChunkPublisher;
import dev.batchinfer.api.submit.SubmitHandler;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.store.batch.BatchStore;
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
  private final BatchStore store;
  private final WebhookStore webhooks;
  private final ChunkPublisher publisher;
  private final ApiSettings settings;

  private ProducerApiApp(Javalin javalin, BatchStore store, WebhookStore webhooks, ChunkPublisher publisher,
      ApiSettings settings) {
    this.javalin = javalin;
    this.store = store;
    this.webhooks = webhooks;
    this.publisher = publisher;
    this.settings = settings;
  }

  public static ProducerApiApp create(ApiSettings settings) {
    return create(settings, ModelCatalog.load(settings.modelArtifacts()));
  }

  public static ProducerApiApp create(ApiSettings settings, ModelCatalog catalog) {
    ObjectMapper json = new ObjectMapper();
    BatchStore store = BatchStore.connect(settings.common().redisUrl(), settings.common().redisKeyPrefix());
    ChunkPublisher publisher = new ChunkPublisher(settings.common().kafkaBootstrapServers(), settings.common().topics(),
        settings.instanceId(), settings.producers(), settings.submitTimeout());
    BatchView view = new BatchView(json, settings.publicBaseUrl());
    BatchRequestReader reader = new BatchRequestReader(json, catalog, settings.chunkMaxItems(), settings.chunkMaxBytes(),
        settings.maxBatchItems(), settings.callbacks());
    SubmitHandler submit = new SubmitHandler(reader, store, publisher, view, Clock.systemUTC(),
        settings.estimatedItemsPerSecond(), settings.maxRequestBytes());
    ReadHandlers read = new ReadHandlers(store, view);
    WebhookStore webhooks = WebhookStore.connect(settings.common().redisUrl(), settings.common().redisKeyPrefix());
    CallbackHandlers callbacks = new CallbackHandlers(store, webhooks, json);
    ProblemRenderer problems = new ProblemRenderer(json);

    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(json, false));
      config.http.defaultContentType = "application/json";
    });
    app.before(ctx -> {
      String given = ctx.header(ProblemRenderer.REQUEST_ID_HEADER);
      String id = given != null && CLIENT_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
      ctx.header(ProblemRenderer.REQUEST_ID_HEADER, id);
    });
    app.post("/v1/batch/predict", submit);
    app.get("/v1/batch/{id}/status", read::status);
    app.get("/v1/batch/{id}/results", read::results);
    app.get("/v1/batch/{id}/callbacks", callbacks::list);
    app.post("/v1/batch/{id}/callbacks/redeliver", callbacks::redeliver);
    app.get("/health", ctx -> ctx.json(java.util.Map.of("status", "ok")));
    app.exception(ApiException.class, (e, ctx) -> problems.render(ctx, e));
    app.exception(Exception.class, (e, ctx) -> {
      log.error("{} {} failed (request {})", ctx.method(), ctx.path(), ctx.res().getHeader(ProblemRenderer.REQUEST_ID_HEADER), e);
      problems.render(ctx, new ApiException(500, "internal", "Internal error",
          "the server failed; quote the request id when reporting it", null, null));
    });
    // Javalin's own 404/405 answers become problems too, unless a handler already wrote one.
    app.error(404, ctx -> {
      if (ctx.resultInputStream() == null) {
        problems.render(ctx, ApiException.notFound("no route " + ctx.method() + " " + ctx.path()));
      }
    });
    app.error(405, ctx -> {
      if (ctx.resultInputStream() == null) {
        problems.render(ctx, new ApiException(405, "method-not-allowed", "Method not allowed",
            ctx.method() + " is not allowed on " + ctx.path(), null, null));
      }
    });
    return new ProducerApiApp(app, store, webhooks, publisher, settings);
  }

  public ProducerApiApp start() {
    javalin.start(settings.host(), settings.port());
    return this;
  }

  /** The bound port (useful when the settings asked for port 0). */
  public int port() {
    return javalin.port();
  }

  @Override
  public void close() {
    javalin.stop();
    publisher.close();
    webhooks.close();
    store.close();
  }
}
