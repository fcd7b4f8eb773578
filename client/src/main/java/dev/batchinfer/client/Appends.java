package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.UUID;

/**
 * Items added to an open batch (submitted with {@link SubmitOptions#open()}), then its total fixed. Every append
 * carries an Idempotency-Key of its own, so the client's retries of one append never add its items twice.
 */
public final class Appends {

  private final Transport transport;

  Appends(Transport transport) {
    this.transport = transport;
  }

  /** What one append added: its items are {@code firstIndex} to {@code total - 1} of the batch. */
  public record Appended(String batchId, String appendId, long appended, long firstIndex, long total, JsonNode raw) {
    static Appended of(JsonNode n) {
      return new Appended(n.path("batch_id").asText(), n.path("append_id").asText(), n.path("appended").asLong(),
          n.path("first_index").asLong(), n.path("total").asLong(), n);
    }
  }

  /** Appends {@code inputs} (each as the model takes it) in one JSON body. */
  public Appended append(String batchId, List<?> inputs) {
    ObjectNode body = Transport.JSON.createObjectNode();
    body.set("inputs", Transport.JSON.valueToTree(inputs));
    byte[] bytes = Transport.write(body);
    return send(BatchClient.post(path(batchId, "items"), "application/json",
        () -> HttpRequest.BodyPublishers.ofByteArray(bytes), UUID.randomUUID().toString()));
  }

  /** Streams NDJSON lines ({@code {"input", "custom_id"}} or bare inputs); custom ids are unique across appends. */
  public Appended appendNdjson(String batchId, Upload upload) {
    return send(new Transport.Call("POST", path(batchId, "items"), "application/x-ndjson", upload.body(),
        UUID.randomUUID().toString(), "application/json", null));
  }

  /** Streams raw inputs end to end in their wire form. */
  public Appended appendRaw(String batchId, Upload upload) {
    return send(new Transport.Call("POST", path(batchId, "items"), "application/octet-stream", upload.body(),
        UUID.randomUUID().toString(), "application/json", null));
  }

  /** Fixes the batch's total at what its appends hold: it completes once they have all ended. Idempotent. */
  public JsonNode finalizeBatch(String batchId) {
    return Transport.join(transport.json(BatchClient.post(path(batchId, "finalize"), "application/json",
        () -> HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '}'}), null)));
  }

  private Appended send(Transport.Call call) {
    return Appended.of(Transport.join(transport.json(call)));
  }

  private static String path(String batchId, String what) {
    return "v1/batch/" + BatchClient.encode(batchId) + "/" + what;
  }
}
