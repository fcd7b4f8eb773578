package dev.batchinfer.api.metrics;

import dev.batchinfer.api.problem.ProblemRenderer;
import dev.batchinfer.api.submit.AcceptanceListener;
import dev.batchinfer.api.submit.BodyMemory;
import dev.batchinfer.store.batch.BatchRecord;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the API counts: every request by route template, method and status (a latency histogram
 * whose count is the rate), batches and items accepted, submits refused by status and problem
 * type, and the request-body memory in use. Routes are templates ({@code /v1/batch/{id}/status}),
 * never raw paths, so the number of series stays bounded whatever clients send.
 */
public final class ApiMetrics implements AcceptanceListener {

  /** The routes that create batches: their refusals are what a capacity planner watches. */
  private static final Set<String> SUBMITS = Set.of("POST /v1/batch/predict", "POST /v1/models/{id}/predict",
      "POST /v1/batch/{id}/retry");
  private static final Duration[] LATENCY_BUCKETS = {ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
      ms(1_000), ms(2_500), ms(5_000), ms(10_000), ms(30_000), ms(120_000)};

  private final MeterRegistry registry;

  public ApiMetrics(MeterRegistry registry, BodyMemory bodies, long bodyBudgetBytes) {
    this.registry = registry;
    Gauge.builder("batchinfer.api.body.memory.used", bodies, b -> bodyBudgetBytes - b.freeBytes()).baseUnit("bytes")
        .description("request-body memory held by submits in flight (its budget is BODY_MEMORY_MB)").register(registry);
    Gauge.builder("batchinfer.api.body.memory.budget", () -> bodyBudgetBytes).baseUnit("bytes")
        .description("request-body memory the API may hold at once").register(registry);
  }

  /** Called once per answered request, by Javalin's request logger. */
  public void request(Context ctx, float millis) {
    String route = route(ctx);
    RequestContext.end(ctx, route);
    String status = Integer.toString(ctx.statusCode());
    Timer.builder("batchinfer.api.requests").description("HTTP requests answered, by route, method and status")
        .tags("route", route, "method", ctx.method().name(), "status", status)
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry)
        .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    if (ctx.statusCode() >= 400 && SUBMITS.contains(ctx.method().name() + " " + route)) {
      String reason = ctx.attribute(ProblemRenderer.PROBLEM_TYPE);
      Counter.builder("batchinfer.api.submits.refused").description("submits answered with an error, by status and problem type")
          .tags("status", status, "reason", reason == null ? "unknown" : reason).register(registry).increment();
    }
  }

  /** A batch is durable in Kafka and recorded: counted once, whichever route made it. */
  @Override
  public void accepted(BatchRecord batch, long items) {
    Counter.builder("batchinfer.api.batches.accepted").description("batches accepted, by model and priority")
        .tags("model", batch.model(), "priority", batch.priority().wire()).register(registry).increment();
    Counter.builder("batchinfer.api.items.accepted").description("items in accepted batches, by model")
        .tag("model", batch.model()).register(registry).increment(items);
  }

  private static String route(Context ctx) {
    try {
      String path = ctx.endpointHandlerPath();
      return path == null || path.isEmpty() || path.equals("*") ? "unmatched" : path;
    } catch (RuntimeException noEndpoint) {
      return "unmatched";
    }
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }
}
