package dev.batchinfer.topics.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.ProgressEvent.CancelRequested;
import dev.batchinfer.topics.message.ProgressEvent.ChunkFinished;
import dev.batchinfer.topics.message.ProgressEvent.Expired;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.message.ProgressEvent.Paused;
import dev.batchinfer.topics.message.ProgressEvent.PriorityChanged;
import dev.batchinfer.topics.message.ProgressEvent.Resumed;
import dev.batchinfer.topics.message.ProgressEvent.Sealed;
import java.io.IOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The progress topic's wire format: JSON, versioned, readable by the services one release either side during a
 * rolling upgrade.
 *
 * <ul>
 *   <li>Version 1 (no {@code v} field) was one record for every event: {@code kind} absent for a finished chunk,
 *       else {@code cancel}, {@code expire} or {@code seal} with {@code chunkIndex} -1; {@code batchCancelled}
 *       true or absent.
 *   <li>Version 2 names the event in {@code type} ({@code chunk_finished}, {@code cancel_requested},
 *       {@code expired}, {@code sealed}) and keeps writing version 1's fields, so a service still on version 1
 *       reads it as before (it ignores unknown fields). {@code paused}, {@code resumed}, {@code priority_changed} and {@code deadline_passed} came later in version
 *       2: a reader that predates them finds them undecodable and skips them (the pause flag in Redis, which
 *       workers read, does not depend on them; only the status's {@code paused} and history do).
 * </ul>
 *
 * A reader takes {@code type} when present, else {@code kind}; a later version must keep {@code type} and the
 * fields above. A record of a type this reader does not know is undecodable (logged and skipped by its reader),
 * never guessed at.
 */
public final class ProgressEventSerde implements Serde<ProgressEvent> {

  public static final int VERSION = 2;

  @Override
  public Serializer<ProgressEvent> serializer() {
    return (topic, event) -> {
      if (event == null) {
        return null;
      }
      try {
        return JsonSerde.MAPPER.writeValueAsBytes(write(event));
      } catch (IOException e) {
        throw new IllegalStateException("cannot serialise " + event, e);
      }
    };
  }

  @Override
  public Deserializer<ProgressEvent> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return read(JsonSerde.MAPPER.readTree(bytes));
      } catch (IOException | RuntimeException e) {
        throw new UndecodableRecordException("not a progress event: " + e.getMessage(), e);
      }
    };
  }

  static ObjectNode write(ProgressEvent e) {
    ObjectNode n = JsonSerde.MAPPER.createObjectNode();
    n.put("v", VERSION);
    n.put("batchId", e.batchId());
    n.put("chunkCount", e.chunkCount());
    n.put("totalItems", e.totalItems());
    n.put("finishedAtMs", e.atMs());
    if (e instanceof ChunkFinished c) {
      n.put("type", "chunk_finished");
      n.put("chunkIndex", c.chunkIndex());
      n.put("succeeded", c.succeeded());
      n.put("failed", c.failed());
      n.put("cancelled", c.cancelled());
      n.put("modelVersion", c.modelVersion());
      n.put("workerId", c.workerId());
      if (c.skippedForBatchCancel()) {
        n.put("batchCancelled", true);
      }
      return n;
    }
    // Version 1's reading of a control event: no chunk (-1), no items, named by kind.
    n.put("chunkIndex", -1);
    n.put("succeeded", 0);
    n.put("failed", 0);
    n.put("cancelled", 0);
    if (e instanceof CancelRequested) {
      n.put("type", "cancel_requested").put("kind", "cancel").put("workerId", "api");
    } else if (e instanceof Expired x) {
      n.put("type", "expired").put("kind", "expire").put("workerId", "result-store");
      if (x.reason() != null) {
        n.put("reason", x.reason());
      }
    } else if (e instanceof ProgressEvent.DeadlinePassed) {
      n.put("type", "deadline_passed").put("kind", "deadline").put("workerId", "result-store");
    } else if (e instanceof Sealed) {
      n.put("type", "sealed").put("kind", "seal").put("workerId", "api");
    } else if (e instanceof Paused) {
      n.put("type", "paused").put("kind", "pause").put("workerId", "api");
    } else if (e instanceof Resumed) {
      n.put("type", "resumed").put("kind", "resume").put("workerId", "api");
    } else if (e instanceof ProgressEvent.Appended a) {
      n.put("type", "appended").put("kind", "append").put("workerId", "api");
      n.put("appendId", a.appendId()).put("firstChunk", a.firstChunk()).put("chunks", a.chunks())
          .put("firstItem", a.firstItem()).put("items", a.items());
    } else if (e instanceof PriorityChanged p) {
      n.put("type", "priority_changed").put("kind", "priority").put("workerId", "api");
      n.put("from", p.from().wire()).put("to", p.to().wire());
    }
    return n;
  }

  static ProgressEvent read(JsonNode n) {
    String batchId = required(n, "batchId").asText();
    int chunkCount = required(n, "chunkCount").asInt();
    long totalItems = required(n, "totalItems").asLong();
    long at = required(n, "finishedAtMs").asLong();
    String type = n.hasNonNull("type") ? n.get("type").asText() : typeOfVersion1(n.path("kind").asText(null));
    return switch (type) {
      case "chunk_finished" -> new ChunkFinished(batchId, required(n, "chunkIndex").asInt(), chunkCount, totalItems,
          n.path("succeeded").asInt(), n.path("failed").asInt(), n.path("cancelled").asInt(),
          n.path("modelVersion").asText(null), n.path("workerId").asText(null), at, n.path("batchCancelled").asBoolean(false));
      case "cancel_requested" -> new CancelRequested(batchId, chunkCount, totalItems, at);
      case "expired" -> new Expired(batchId, chunkCount, totalItems, at, n.path("reason").asText(null));
      case "deadline_passed" -> new ProgressEvent.DeadlinePassed(batchId, chunkCount, totalItems, at);
      case "sealed" -> new Sealed(batchId, chunkCount, totalItems, at);
      case "paused" -> new Paused(batchId, chunkCount, totalItems, at);
      case "resumed" -> new Resumed(batchId, chunkCount, totalItems, at);
      case "appended" -> new ProgressEvent.Appended(batchId, at, required(n, "appendId").asText(),
          required(n, "firstChunk").asInt(), required(n, "chunks").asInt(), required(n, "firstItem").asLong(),
          required(n, "items").asLong());
      case "priority_changed" -> new PriorityChanged(batchId, chunkCount, totalItems, at, priority(n, "from"),
          priority(n, "to"));
      default -> throw new IllegalArgumentException("unknown progress event type '" + type + "'");
    };
  }

  private static String typeOfVersion1(String kind) {
    if (kind == null || kind.equals("chunk")) {
      return "chunk_finished";
    }
    return switch (kind) {
      case "cancel" -> "cancel_requested";
      case "expire" -> "expired";
      case "seal" -> "sealed";
      default -> kind;
    };
  }

  private static Priority priority(JsonNode n, String field) {
    String wire = required(n, field).asText();
    return Priority.fromWire(wire).orElseThrow(() -> new IllegalArgumentException("unknown priority '" + wire + "'"));
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("no " + field);
    }
    return v;
  }
}
