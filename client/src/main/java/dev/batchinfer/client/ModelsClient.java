package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The model routes of the native API ({@link BatchClient#models()}). */
public final class ModelsClient {

  private final Transport transport;

  ModelsClient(Transport transport) {
    this.transport = transport;
  }

  public List<Model> list() {
    List<Model> out = new ArrayList<>();
    Transport.join(transport.json(Transport.Call.get("v1/models"))).path("models").forEach(m -> out.add(Model.of(m)));
    return out;
  }

  public Model get(String id) {
    return Model.of(Transport.join(transport.json(Transport.Call.get("v1/models/" + BatchClient.encode(id)))));
  }

  /** Per (production, shadow) pair of versions: items compared, agreement rate, label confusion. */
  public JsonNode shadowReport(String model) {
    return Transport.join(transport.json(Transport.Call.get("v1/models/" + BatchClient.encode(model) + "/shadow-report")));
  }

  /** Admin: production back to the previous version, the reason recorded; the model as it is then. */
  public Model rollback(String model, String reason) {
    byte[] body = Transport.write(Transport.JSON.createObjectNode().put("reason", reason));
    return Model.of(Transport.join(transport.json(BatchClient.post("v1/models/" + BatchClient.encode(model) + "/rollback", "application/json",
        () -> HttpRequest.BodyPublishers.ofByteArray(body), null))));
  }

  /**
   * Admin: replaces the model's stages in one change ({@code {"production", "canary": {"version", "traffic"},
   * "shadow", "staging", "archived", "reason"}}); the model as it is then.
   */
  public Model replaceDeployment(String model, JsonNode deployment) {
    byte[] body = Transport.write(deployment);
    return Model.of(Transport.join(transport.json(new Transport.Call("PUT", "v1/models/" + BatchClient.encode(model) + "/deployment",
        "application/json", () -> HttpRequest.BodyPublishers.ofByteArray(body), null, "application/json", null))));
  }

  /** A few inputs answered at once (sync predict: through the same queue, at the highest priority). */
  public Prediction predict(String model, List<?> inputs) {
    return Transport.join(predictAsync(model, inputs));
  }

  public CompletableFuture<Prediction> predictAsync(String model, List<?> inputs) {
    byte[] body = Transport.write(Transport.JSON.createObjectNode().set("inputs", Transport.JSON.valueToTree(inputs)));
    return transport.json(BatchClient.post("v1/models/" + BatchClient.encode(model) + "/predict", "application/json",
        () -> HttpRequest.BodyPublishers.ofByteArray(body), null)).thenApply(Prediction::of);
  }
}
