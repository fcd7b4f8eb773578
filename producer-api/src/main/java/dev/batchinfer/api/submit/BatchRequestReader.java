package dev.batchinfer.api.submit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.InvalidInputException;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import java.io.IOException;
import java.io.InputStream;
import dev.batchinfer.topics.callback.CallbackPolicy;
import dev.batchinfer.topics.callback.RejectedCallbackException;
import dev.batchinfer.topics.message.BatchEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads a submit body as a stream: each input is validated against the model's schema and encoded
 * as soon as it is read, so memory holds compact bytes, never the whole JSON tree. If "inputs"
 * comes before "model", the inputs are kept as tokens until the model is known.
 */
public final class BatchRequestReader {

  static final int MAX_METADATA_BYTES = 16 * 1024;
  static final int MAX_BATCH_ID_CHARS = 36;
  /** Tenant names are at most 64 ASCII characters (see ApiKeys). */
  static final int MAX_TENANT_CHARS = 64;

  private final ObjectMapper json;
  private final CallbackPolicy callbacks;
  private final ModelCatalog catalog;
  private final int chunkMaxItems;
  private final int chunkMaxBytes;
  private final int maxItems;

  public BatchRequestReader(ObjectMapper json, ModelCatalog catalog, int chunkMaxItems, int chunkMaxBytes, int maxItems,
      CallbackPolicy callbacks) {
    this.json = json;
    this.callbacks = callbacks;
    this.catalog = catalog;
    this.chunkMaxItems = chunkMaxItems;
    this.chunkMaxBytes = chunkMaxBytes;
    this.maxItems = maxItems;
  }

  /** Reads with each model at its registry.yaml production version (no live routing). */
  public ParsedBatch read(InputStream body) {
    return read(body, this::resolve);
  }

  /**
   * @param resolveModel turns the body's "model" into the version the batch is pinned to
   * @throws ApiException 400 naming the field for anything invalid, 413 for too many inputs
   */
  public ParsedBatch read(InputStream body, Function<String, ModelConfig> resolveModel) {
    return parse(body, p -> readObject(p, resolveModel, null));
  }

  /** A sync predict body, {@code {"inputs": [...]}}, for a model already chosen by the path. */
  public ParsedBatch readInputsFor(InputStream body, ModelConfig model) {
    return parse(body, p -> readObject(p, null, model));
  }

  private interface Reading {
    ParsedBatch from(JsonParser p) throws IOException;
  }

  private ParsedBatch parse(InputStream body, Reading reading) {
    try (JsonParser p = json.getFactory().createParser(body)) {
      return reading.from(p);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ApiException.invalid("", "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.invalid("", "the body could not be read: " + e.getMessage());
    }
  }

  /** Exactly one of {@code resolveModel} (a batch body) and {@code fixedModel} (a sync body) is given. */
  private ParsedBatch readObject(JsonParser p, Function<String, ModelConfig> resolveModel, ModelConfig fixedModel)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw ApiException.invalid("", fixedModel == null ? "the body must be a JSON object with \"model\" and \"inputs\""
          : "the body must be a JSON object with \"inputs\"");
    }
    String modelId = fixedModel == null ? null : fixedModel.model();
    Priority priority = Priority.NORMAL;
    String callbackUrl = null;
    List<String> callbackEvents = BatchEvent.DEFAULT_TYPES;
    java.time.Duration window = null;
    java.time.Duration retention = null;
    String metadata = null;
    Chunker chunker = null;
    ModelConfig model = fixedModel;
    TokenBuffer earlyInputs = null;
    boolean sawInputs = false;
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      // A repeated field would override the first silently: a second "model" would even switch the
      // batch to a model its inputs were never checked against.
      if (!seen.add(field)) {
        throw ApiException.invalid("/" + field, "\"" + field + "\" appears more than once: give it once");
      }
      JsonToken value = p.nextToken();
      if (fixedModel != null && !field.equals("inputs")) {
        throw ApiException.invalid("/" + field, "unknown field \"" + field + "\": a predict body takes only \"inputs\"");
      }
      switch (field) {
        case "model" -> {
          modelId = text(p, value, "/model", "the model id, e.g. \"fashion-mnist\"");
          model = resolveModel.apply(modelId);
          if (earlyInputs != null) {
            chunker = newChunker(model);
            try (JsonParser buffered = earlyInputs.asParser(p.getCodec())) {
              buffered.nextToken();
              readInputs(buffered, model, chunker);
            }
            earlyInputs = null;
          }
        }
        case "inputs" -> {
          sawInputs = true;
          if (value != JsonToken.START_ARRAY) {
            throw ApiException.invalid("/inputs", "\"inputs\" must be an array of input objects");
          }
          if (model == null) {
            earlyInputs = bufferInputs(p);
          } else {
            chunker = newChunker(model);
            readInputs(p, model, chunker);
          }
        }
        case "priority" -> {
          String wire = text(p, value, "/priority", "one of low, normal, high");
          priority = Priority.fromWire(wire).orElseThrow(() ->
              ApiException.invalid("/priority", "unknown priority \"" + wire + "\": use one of low, normal, high"));
        }
        case "callback_url" -> callbackUrl = value == JsonToken.VALUE_NULL ? null
            : checkCallback(text(p, value, "/callback_url", "an absolute http or https URL"));
        case "callback_events" -> callbackEvents = readCallbackEvents(p, value);
        case "completion_window" -> window = readDuration("completion_window", MAX_WINDOW,
            text(p, value, "/completion_window", "a duration such as 10m or 24h"));
        case "retention" -> retention = readDuration("retention", dev.batchinfer.store.batch.BatchStore.MAX_RETENTION,
            text(p, value, "/retention", "a duration such as 1h or 7d"));
        case "metadata" -> metadata = readMetadata(p, value);
        default -> throw ApiException.invalid("/" + field, "unknown field \"" + field
            + "\": the body takes model, inputs, priority, callback_url, callback_events, completion_window, retention and metadata");
      }
    }
    if (modelId == null) {
      throw ApiException.invalid("/model", "missing \"model\": name the model to run, e.g. \"fashion-mnist\"");
    }
    if (!sawInputs || chunker == null || chunker.itemCount() == 0) {
      throw ApiException.invalid("/inputs", "\"inputs\" must be a non-empty array of input objects");
    }
    if (p.nextToken() != null) {
      throw ApiException.invalid("", "unexpected content after the JSON object");
    }
    long total = chunker.itemCount();
    return new ParsedBatch(model, priority, callbackUrl, callbackEvents, metadata, window, retention, total,
        chunker.finish());
  }

  private ModelConfig resolve(String modelId) {
    return catalog.resolve(modelId).orElseThrow(() -> ApiException.invalid("/model",
        "unknown model \"" + modelId + "\": available models are "
            + catalog.modelIds().stream().collect(Collectors.joining(", "))));
  }

  private Chunker newChunker(ModelConfig model) {
    int header = ChunkCodec.headerBytes("x".repeat(MAX_BATCH_ID_CHARS), model.model(), model.version(),
        "x".repeat(MAX_TENANT_CHARS));
    return new Chunker(chunkMaxItems, chunkMaxBytes, header);
  }

  private void readInputs(JsonParser p, ModelConfig model, Chunker chunker) throws IOException {
    long index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (index >= maxItems) {
        throw ApiException.tooLarge("/inputs", "more than " + maxItems + " inputs in one request: split the batch");
      }
      JsonNode item = json.readTree(p);
      byte[] payload;
      try {
        payload = model.input().encode(item);
      } catch (InvalidInputException e) {
        throw ApiException.invalid("/inputs/" + index + e.pointer(), "input " + index + ": " + e.getMessage());
      }
      if (payload.length > chunker.maxItemBytes()) {
        throw ApiException.invalid("/inputs/" + index, "input " + index + " is " + payload.length
            + " bytes; at most " + chunker.maxItemBytes() + " fit in one chunk (CHUNK_MAX_BYTES)");
      }
      chunker.add(index++, payload);
    }
  }

  /** Keeps the inputs as tokens until the model is known, counting them so the limit still holds. */
  private TokenBuffer bufferInputs(JsonParser p) throws IOException {
    TokenBuffer buffer = new TokenBuffer(p);
    buffer.writeStartArray();
    long count = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (++count > maxItems) {
        throw ApiException.tooLarge("/inputs", "more than " + maxItems + " inputs in one request: split the batch");
      }
      buffer.copyCurrentStructure(p);
    }
    buffer.writeEndArray();
    return buffer;
  }

  private String readMetadata(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.START_OBJECT) {
      throw ApiException.invalid("/metadata", "\"metadata\" must be a JSON object");
    }
    String text = json.writeValueAsString(json.readTree(p));
    if (text.length() > MAX_METADATA_BYTES) {
      throw ApiException.invalid("/metadata", "\"metadata\" is " + text.length() + " bytes; keep it under " + MAX_METADATA_BYTES);
    }
    return text;
  }

  private static String text(JsonParser p, JsonToken value, String field, String expected) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw ApiException.invalid(field, "\"" + field.substring(1) + "\" must be a string: " + expected);
    }
    return p.getText();
  }

  /**
   * The SSRF guard's check of the URL's form and of any literal address. Host names are resolved
   * and checked again by the dispatcher at each attempt, against the address it then connects to.
   */
  private String checkCallback(String url) {
    try {
      callbacks.checkUrl(url);
      return url;
    } catch (RejectedCallbackException e) {
      throw ApiException.invalid("/callback_url", "\"callback_url\" " + e.getMessage() + ", got \"" + url + "\"");
    }
  }

  static final java.time.Duration MAX_WINDOW = java.time.Duration.ofDays(30);

  private static java.time.Duration readDuration(String field, java.time.Duration max, String text) {
    java.time.Duration d = dev.batchinfer.topics.env.Env.parseDuration(text).orElseThrow(() -> ApiException.invalid(
        "/" + field, "\"" + field + "\" must be a duration such as 10m, 24h or 7d, got \"" + text + "\""));
    if (d.isZero() || d.compareTo(max) > 0) {
      throw ApiException.invalid("/" + field, "\"" + field + "\" must be more than 0 and at most " + max.toDays() + "d");
    }
    return d;
  }

  private List<String> readCallbackEvents(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw ApiException.invalid("/callback_events", "\"callback_events\" must be an array of event types: "
          + String.join(", ", BatchEvent.TYPES));
    }
    List<String> events = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String type = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
      if (type == null || !BatchEvent.TYPES.contains(type)) {
        throw ApiException.invalid("/callback_events/" + events.size(), "unknown event type " + p.getText()
            + ": choose from " + String.join(", ", BatchEvent.TYPES));
      }
      if (!events.contains(type)) {
        events.add(type);
      }
    }
    return List.copyOf(events);
  }
}
