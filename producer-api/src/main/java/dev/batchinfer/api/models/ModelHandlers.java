package dev.batchinfer.api.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.Deployment;
import dev.batchinfer.models.RolloutException;
import dev.batchinfer.store.model.ModelTelemetry;
import dev.batchinfer.store.model.RegistryStore;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The model registry over HTTP: listing, shadow reports, and the admin's rollouts. */
public final class ModelHandlers {

  private final ModelRouter router;
  private final RegistryStore registry;
  private final ModelTelemetry telemetry;
  private final ModelView view;
  private final ObjectMapper json;
  public ModelHandlers(ModelRouter router, RegistryStore registry, ModelTelemetry telemetry, ObjectMapper json) {
    this.router = router;
    this.registry = registry;
    this.telemetry = telemetry;
    this.view = new ModelView(json);
    this.json = json;
  }

  /** {@code GET /v1/models} */
  public void list(Context ctx) {
    List<Map<String, Object>> models = new ArrayList<>();
    for (String id : router.catalog().modelIds()) {
      models.add(view.model(id, router.catalog().versions(id), router.deployment(id)));
    }
    ctx.json(Map.of("models", models));
  }

  /** {@code GET /v1/models/{id}} */
  public void get(Context ctx) {
    String id = model(ctx);
    ctx.json(view.model(id, router.catalog().versions(id), router.deployment(id)));
  }

  /** {@code GET /v1/models/{id}/shadow-report}: each shadow version against production. */
  public void shadowReport(Context ctx) {
    String id = model(ctx);
    Deployment d = router.deployment(id);
    List<Map<String, Object>> pairs = new ArrayList<>();
    for (String shadow : d.shadow()) {
      ModelTelemetry.ShadowReport r = telemetry.shadowReport(id, d.production(), shadow);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("production_version", r.production());
      m.put("shadow_version", r.shadow());
      m.put("items_compared", r.compared());
      m.put("agreement_rate", r.agreementRate());
      List<Map<String, Object>> cells = new ArrayList<>();
      r.confusion().forEach((cell, n) -> {
        String[] labels = cell.split("\t", 2);
        cells.add(Map.of("production_label", labels[0], "shadow_label", labels[1], "items", n));
      });
      m.put("confusion", cells);
      pairs.add(m);
    }
    ctx.json(Map.of("model", id, "pairs", pairs));
  }

  /** {@code POST /v1/models/{id}/rollback} (admin): production goes back to the previous version. */
  public void rollback(Context ctx) {
    Authenticator.requireAdmin(ctx);
    String id = model(ctx);
    String reason = reason(ctx, "manual rollback");
    Deployment seed = router.catalog().seedDeployment(id).orElseThrow();
    Deployment next;
    try {
      next = registry.update(id, seed, d -> d.rollback(reason, System.currentTimeMillis()));
    } catch (RolloutException e) {
      throw new ApiException(409, "nothing-to-roll-back", "Nothing to roll back", e.getMessage(), null, null);
    }
    router.invalidate(id);
    ctx.json(view.model(id, router.catalog().versions(id), next));
  }

  /**
   * {@code PUT /v1/models/{id}/deployment} (admin): replaces the stages in one atomic change, e.g.
   * a blue-green switch of production. Body: {@code {"production", "canary": {"version", "traffic"},
   * "shadow": [], "staging": [], "archived": [], "reason"}}.
   */
  public void replace(Context ctx) {
    Authenticator.requireAdmin(ctx);
    String id = model(ctx);
    Deployment wanted;
    String reason;
    try {
      var body = json.readTree(ctx.body());
      wanted = json.treeToValue(body, Deployment.class);
      reason = body.path("reason").asText("stages replaced by an operator");
    } catch (Exception e) {
      throw ApiException.invalid("", "the body must be a deployment document: " + e.getMessage());
    }
    check(id, wanted);
    Deployment next = registry.update(id, router.catalog().seedDeployment(id).orElseThrow(),
        d -> d.replaceStages(wanted, reason, System.currentTimeMillis()));
    router.invalidate(id);
    ctx.json(view.model(id, router.catalog().versions(id), next));
  }

  private void check(String id, Deployment d) {
    if (d.production() == null || router.catalog().find(id, d.production()).isEmpty()) {
      throw ApiException.invalid("/production", "production must name a version of " + id + " on disk");
    }
    if (d.canary() != null && (router.catalog().find(id, d.canary().version()).isEmpty()
        || d.canary().traffic() < 0 || d.canary().traffic() > 1)) {
      throw ApiException.invalid("/canary", "canary needs a version on disk and a traffic share from 0 to 1");
    }
    for (String v : d.shadow()) {
      if (router.catalog().find(id, v).isEmpty()) {
        throw ApiException.invalid("/shadow", "shadow version " + v + " is not on disk");
      }
    }
  }

  private String model(Context ctx) {
    String id = ctx.pathParam("id");
    if (router.catalog().versions(id).isEmpty()) {
      throw new ApiException(404, "unknown-model", "Unknown model", "no model " + id + "; available: "
          + String.join(", ", router.catalog().modelIds()), null, null);
    }
    return id;
  }

  private String reason(Context ctx, String fallback) {
    try {
      String body = ctx.body();
      return body.isBlank() ? fallback : json.readTree(body).path("reason").asText(fallback);
    } catch (Exception e) {
      return fallback;
    }
  }
}
