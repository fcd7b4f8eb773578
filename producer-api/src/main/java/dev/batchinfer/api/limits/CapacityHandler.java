package dev.batchinfer.api.limits;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.QueryParams;
import dev.batchinfer.topics.message.Priority;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/capacity[?model=&priority=&items=]}, and the same figures in every 429's {@code capacity} member,
 * so a refused client sees what it is waiting for.
 */
public final class CapacityHandler {

  private static final Logger log = LoggerFactory.getLogger(CapacityHandler.class);

  private final Capacity capacity;
  private final long maxBatchItems;

  public CapacityHandler(Capacity capacity, long maxBatchItems) {
    this.capacity = capacity;
    this.maxBatchItems = maxBatchItems;
  }

  public void get(Context ctx) {
    String model = ctx.queryParam("model");
    if (model != null && capacity.modelIds().stream().noneMatch(model::equals)) {
      throw ApiException.invalid("model", "unknown model \"" + model + "\": GET /v1/models lists them");
    }
    String wire = ctx.queryParam("priority");
    Priority priority = wire == null ? Priority.NORMAL : Priority.fromWire(wire).orElseThrow(() ->
        ApiException.invalid("priority", "unknown priority \"" + wire + "\": use one of low, normal, high"));
    long items = QueryParams.longParam(ctx, "items", Capacity.Ask.DEFAULT.items(), 1, maxBatchItems);
    ctx.json(capacity.describe(Authenticator.principal(ctx).tenant(), new Capacity.Ask(model, priority, items)));
  }

  /** Adds the tenant's capacity to a 429; without it if Redis cannot say (the 429 itself must still go out). */
  public ApiException withFigures(Context ctx, ApiException refusal) {
    if (refusal.status() != 429) {
      return refusal;
    }
    try {
      return refusal.with("capacity", capacity.describe(Authenticator.principal(ctx).tenant(), Capacity.Ask.DEFAULT));
    } catch (RuntimeException e) {
      log.warn("429 sent without its capacity figures: {}", e.toString());
      return refusal;
    }
  }
}
