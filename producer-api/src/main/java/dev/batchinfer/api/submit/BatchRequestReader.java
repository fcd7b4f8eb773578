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
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.config.callback.RejectedCallbackException;
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

  /**
   * The parser's message without its advice to the programmer ("enable `JsonReadFeature...` to allow"), which a
   * client cannot act on; for NaN and Infinity, what to send instead.
   */
  static String jsonProblem(JsonProcessingException e) {
    String m = e.getOriginalMessage().replaceAll(": enable `[^`]*` to allow.*$", "");
    return m.startsWith("Non-standard token") ? m + "; JSON numbers must be finite (no NaN or Infinity)" : m;
  }

  private ParsedBatch parse(InputStream body, Reading reading) {
    try (JsonParser p = json.getFactory().createParser(body)) {
      return reading.from(p);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ApiException.invalid("", "the body is not valid JSON" + where + ": " + jsonProblem(e));
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
        case "priority" -> priority = priority(text(p, value, "/priority", "one of low, normal, high"), "/priority");
        case "callback_url" -> callbackUrl = value == JsonToken.VALUE_NULL ? null
            : checkCallback(text(p, value, "/callback_url", "an absolute http or https URL"), "/callback_url");
        case "callback_events" -> callbackEvents = readCallbackEvents(p, value);
        case "completion_window" -> window = readDuration("completion_window", "/completion_window", MAX_WINDOW,
            text(p, value, "/completion_window", "a duration such as 10m or 24h"));
        case "retention" -> retention = readDuration("retention", "/retention",
            dev.batchinfer.store.batch.Retention.MAX_RETENTION, text(p, value, "/retention", "a duration such as 1h or 7d"));
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
    return newChunker(model, null);
  }

  /** A chunker for the model's batches; {@code sink} null keeps the chunks (see {@link Chunker}). */
  public Chunker newChunker(ModelConfig model, java.util.function.Consumer<Chunker.ChunkItems> sink) {
    int header = ChunkCodec.extendedHeaderBytes("x".repeat(MAX_BATCH_ID_CHARS), model.model(), model.version(),
        "x".repeat(MAX_TENANT_CHARS));
    return new Chunker(chunkMaxItems, chunkMaxBytes, header, sink);
  }

  private void readInputs(JsonParser p, ModelConfig model, Chunker chunker) throws IOException {
    long index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (index >= maxItems) {
        throw ApiException.tooLarge("/inputs", "more than " + maxItems + " inputs in one request: split the batch");
      }
      JsonNode item = json.readTree(p);
      chunker.add(index, encode(model, chunker, item, "/inputs/" + index, "input " + index, null), null, -1);
      index++;
    }
  }

  /**
   * One input validated against the model and encoded.
   *
   * @param pointer where the input is (a JSON pointer into the body or the line)
   * @param what how to name it in the message ("input 3", "line 17")
   * @param customId the item's custom id, or null: it shares the chunk's byte bound with the input
   */
  private static byte[] encode(ModelConfig model, Chunker chunker, JsonNode item, String pointer, String what,
      String customId) {
    byte[] payload;
    try {
      payload = model.input().encode(item);
    } catch (InvalidInputException e) {
      throw ApiException.invalid(pointer + e.pointer(), what + ": " + e.getMessage());
    }
    int max = chunker.maxItemBytes(customId);
    if (payload.length > max) {
      throw ApiException.invalid(pointer, what + " is " + payload.length + " bytes; at most " + max
          + (customId == null ? "" : " with its custom_id") + " fit in one chunk (CHUNK_MAX_BYTES)");
    }
    return payload;
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
    return metadata(json.readTree(p), "/metadata");
  }

  private String metadata(JsonNode object, String field) throws IOException {
    if (!object.isObject()) {
      throw ApiException.invalid(field, "\"metadata\" must be a JSON object");
    }
    String text = json.writeValueAsString(object);
    if (text.length() > MAX_METADATA_BYTES) {
      throw ApiException.invalid(field, "\"metadata\" is " + text.length() + " bytes; keep it under " + MAX_METADATA_BYTES);
    }
    return text;
  }

  private static Priority priority(String wire, String field) {
    return Priority.fromWire(wire).orElseThrow(() ->
        ApiException.invalid(field, "unknown priority \"" + wire + "\": use one of low, normal, high"));
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
  private String checkCallback(String url, String field) {
    try {
      callbacks.checkUrl(url);
      return url;
    } catch (RejectedCallbackException e) {
      throw ApiException.invalid(field, "\"callback_url\" " + e.getMessage() + ", got \"" + url + "\"");
    }
  }

  static final java.time.Duration MAX_WINDOW = dev.batchinfer.topics.Topics.MAX_COMPLETION_WINDOW;

  private static java.time.Duration readDuration(String name, String field, java.time.Duration max, String text) {
    java.time.Duration d = dev.batchinfer.config.Env.parseDuration(text).orElseThrow(() -> ApiException.invalid(
        field, "\"" + name + "\" must be a duration such as 10m, 24h or 7d, got \"" + text + "\""));
    if (d.isZero() || d.compareTo(max) > 0) {
      throw ApiException.invalid(field, "\"" + name + "\" must be more than 0 and at most " + max.toDays() + "d");
    }
    return d;
  }

  private List<String> readCallbackEvents(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw ApiException.invalid("/callback_events", "\"callback_events\" must be an array of event types: "
          + String.join(", ", BatchEvent.TYPES));
    }
    List<String> events = new ArrayList<>();
    int at = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String type = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
      addCallbackEvent(events, type, p.getText(), "/callback_events/" + at++);
    }
    return List.copyOf(events);
  }

  private static void addCallbackEvent(List<String> events, String type, String given, String field) {
    if (type == null || !BatchEvent.TYPES.contains(type)) {
      throw ApiException.invalid(field, "unknown event type " + given + ": choose from " + String.join(", ", BatchEvent.TYPES));
    }
    if (!events.contains(type)) {
      events.add(type);
    }
  }

  // ---------------------------------------------------------------- streamed uploads (NDJSON, raw)

  /** Query parameters that carry a streamed (NDJSON or raw) upload's batch options. */
  public static final List<String> QUERY_OPTIONS = List.of("model", "priority", "callback_url", "callback_events",
      "completion_window", "retention", "metadata");
  /** The longest custom_id accepted, in characters. */
  public static final int MAX_CUSTOM_ID_CHARS = 128;
  /** Duplicate custom ids a dry run lists (it counts them all). */
  static final int MAX_DUPLICATES_LISTED = 100;

  /**
   * The batch options of a streamed upload, from query parameters (each named in its error).
   *
   * @param query every query parameter; {@code allowedExtra} names those read elsewhere (dry_run)
   */
  public BatchOptions readOptions(java.util.Map<String, List<String>> query, Function<String, ModelConfig> resolveModel,
      Set<String> allowedExtra) {
    for (var e : query.entrySet()) {
      if (!QUERY_OPTIONS.contains(e.getKey()) && !allowedExtra.contains(e.getKey())) {
        throw ApiException.invalid(e.getKey(), "unknown query parameter \"" + e.getKey()
            + "\": a streamed (NDJSON or raw) upload takes " + String.join(", ", QUERY_OPTIONS) + " (and dry_run)");
      }
      if (e.getValue().size() > 1) {
        throw ApiException.invalid(e.getKey(), "query parameter \"" + e.getKey() + "\" appears more than once: give it once");
      }
    }
    java.util.function.Function<String, String> one = name -> query.containsKey(name) ? query.get(name).get(0) : null;
    String modelId = one.apply("model");
    if (modelId == null || modelId.isBlank()) {
      throw ApiException.invalid("model", "missing query parameter \"model\": a streamed (NDJSON or raw) upload "
          + "names its model in the URL, e.g. /v1/batch/predict?model=language-id");
    }
    ModelConfig model = resolveModel.apply(modelId);
    String p = one.apply("priority");
    String callback = one.apply("callback_url");
    List<String> events = BatchEvent.DEFAULT_TYPES;
    if (one.apply("callback_events") != null) {
      List<String> listed = new ArrayList<>();
      for (String type : one.apply("callback_events").split(",", -1)) {
        addCallbackEvent(listed, type.strip(), type, "callback_events");
      }
      events = List.copyOf(listed);
    }
    String window = one.apply("completion_window");
    String retention = one.apply("retention");
    String metadata = null;
    if (one.apply("metadata") != null) {
      try {
        metadata = metadata(json.readTree(one.apply("metadata")), "metadata");
      } catch (IOException e) {
        throw ApiException.invalid("metadata", "\"metadata\" must be a JSON object (URL-encoded), e.g. metadata=%7B%22run%22%3A1%7D");
      }
    }
    return new BatchOptions(model, p == null ? Priority.NORMAL : priority(p, "priority"),
        callback == null ? null : checkCallback(callback, "callback_url"), events, metadata,
        window == null ? null : readDuration("completion_window", "completion_window", MAX_WINDOW, window),
        retention == null ? null : readDuration("retention", "retention", dev.batchinfer.store.batch.Retention.MAX_RETENTION,
            retention));
  }

  /** One custom id used twice: {@code line} repeats the id first given on {@code firstLine}. */
  public record Duplicate(String customId, int line, int firstLine) {}

  /**
   * What an NDJSON body held.
   *
   * @param duplicates the repeated custom ids, at most {@link #MAX_DUPLICATES_LISTED} (dry runs only)
   * @param duplicateCount every repeat, listed or not
   */
  public record Upload(long items, long chunks, long inputBytes, List<Duplicate> duplicates, long duplicateCount) {}

  /**
   * Reads an NDJSON body line by line: each line one input, {@code {"input": ..., "custom_id": "..."}}
   * or the bare input. Every input is validated and encoded as it arrives and goes to the chunker,
   * which hands full chunks on, so memory holds one chunk and the custom-id set, never the body.
   *
   * @param maxItems more lines than this is 413
   * @param listDuplicates true for a dry run: repeated custom ids are listed instead of refused
   * @throws ApiException 400 naming the line (and field) of an invalid line, 422 for a repeated
   *     custom_id naming both lines, 413 past {@code maxItems}
   */
  public Upload readNdjson(InputStream body, ModelConfig model, Chunker chunker, long maxItems, boolean listDuplicates) {
    CustomIdSet ids = new CustomIdSet();
    List<Duplicate> duplicates = new ArrayList<>();
    long duplicateCount = 0;
    long index = 0;
    int line = 0;
    try (JsonParser p = json.getFactory().createParser(body)) {
      int lastLine = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        line = p.currentTokenLocation().getLineNr();
        if (line == lastLine) {
          throw lineError(line, "", "line " + line + " holds more than one JSON value; NDJSON takes one per line");
        }
        JsonNode node = json.readTree(p);
        lastLine = p.currentLocation().getLineNr();
        if (lastLine != line) {
          throw lineError(line, "", "the JSON value starting on line " + line + " goes on to line " + lastLine
              + "; NDJSON takes one whole value per line");
        }
        if (index >= maxItems) {
          throw ApiException.tooLarge("", "more than " + maxItems + " lines in one upload (MAX_NDJSON_ITEMS, at most RATE_ITEMS_BURST): split the batch")
              .with("line", line);
        }
        JsonNode input = node;
        String customId = null;
        String pointer = "";
        if (isWrapped(node)) {
          input = node.get("input");
          pointer = "/input";
          JsonNode id = node.get("custom_id");
          if (id != null && !id.isNull()) {
            customId = customId(id, line);
            int first = ids.add(customId, line);
            if (first > 0) {
              duplicateCount++;
              if (!listDuplicates) {
                throw new ApiException(422, "duplicate-custom-id", "Duplicate custom_id", "line " + line + ": custom_id \""
                    + customId + "\" was already given on line " + first + "; custom ids must be unique within a batch",
                    "/custom_id", null).with("line", line).with("first_line", first).with("custom_id", customId);
              }
              if (duplicates.size() < MAX_DUPLICATES_LISTED) {
                duplicates.add(new Duplicate(customId, line, first));
              }
            }
          }
        }
        byte[] payload;
        try {
          payload = encode(model, chunker, input, pointer, "line " + line, customId);
        } catch (ApiException e) {
          throw e.with("line", line);
        }
        chunker.add(index++, payload, customId, -1);
      }
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      int where = at == null ? line : at.getLineNr();
      throw lineError(where, "", "line " + where + " is not valid JSON: " + jsonProblem(e));
    } catch (IOException e) {
      // The client went away or the connection broke: nothing is accepted.
      throw ApiException.invalid("", "the body could not be read to its end: " + e.getMessage());
    }
    if (index == 0) {
      throw ApiException.invalid("", "the NDJSON body has no lines: send one input per line");
    }
    chunker.finish();
    return new Upload(index, chunker.chunkCount(), chunker.inputBytes(), List.copyOf(duplicates), duplicateCount);
  }

  /**
   * Reads a raw upload: the inputs end to end, each exactly as the model's wire form (its
   * {@code payloadBytes}: uint8 values, or float32 little-endian, row-major). No parsing and no
   * per-value conversion: for image batches the cheapest way in, and the body is a third smaller
   * than base64 in JSON. Every input is still checked against the model's range as it arrives.
   *
   * @throws ApiException 415 for a model with variable-size (string) inputs, 400 for an empty body,
   *     a body that is not a whole number of inputs, or an input out of range (naming its index),
   *     413 past {@code maxItems}
   */
  public Upload readRaw(InputStream body, ModelConfig model, Chunker chunker, long maxItems) {
    int size = model.input().payloadBytes();
    if (size < 0) {
      throw new ApiException(415, "unsupported-media-type", "Raw upload of variable-size inputs", model.id()
          + " takes " + model.input().describe() + ", which has no fixed size: send JSON or NDJSON instead",
          "Content-Type", null);
    }
    long index = 0;
    try (InputStream in = new java.io.BufferedInputStream(body, 64 * 1024)) {
      byte[] item = new byte[size]; // the chunker copies it: one buffer serves every input
      int read;
      while ((read = in.readNBytes(item, 0, size)) > 0) {
        if (read < size) {
          throw ApiException.invalid("", "the body ends with " + read + " bytes of input " + index
              + "; a raw upload is whole inputs of " + size + " bytes each: " + model.input().describe())
              .with("item", index);
        }
        if (index >= maxItems) {
          throw ApiException.tooLarge("", "more than " + maxItems + " inputs in one upload (MAX_NDJSON_ITEMS, at most "
              + "RATE_ITEMS_BURST): split the batch").with("item", index);
        }
        String problem = model.input().checkPayload(java.nio.ByteBuffer.wrap(item));
        if (problem != null) {
          throw ApiException.invalid("", "input " + index + ": " + problem).with("item", index);
        }
        chunker.add(index++, item);
      }
    } catch (IOException e) {
      throw ApiException.invalid("", "the body could not be read to its end: " + e.getMessage());
    }
    if (index == 0) {
      throw ApiException.invalid("", "the body is empty: send the inputs end to end, " + size + " bytes each: "
          + model.input().describe());
    }
    chunker.finish();
    return new Upload(index, chunker.chunkCount(), chunker.inputBytes(), List.of(), 0);
  }

  /** {"input": ..., "custom_id": ...} rather than a bare input: "input" present, nothing but those two keys. */
  private static boolean isWrapped(JsonNode node) {
    if (!node.isObject() || !node.has("input")) {
      return false;
    }
    var names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!n.equals("input") && !n.equals("custom_id")) {
        return false;
      }
    }
    return true;
  }

  private static String customId(JsonNode id, int line) {
    if (!id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > MAX_CUSTOM_ID_CHARS) {
      throw lineError(line, "/custom_id", "line " + line + ": \"custom_id\" must be a string of 1 to "
          + MAX_CUSTOM_ID_CHARS + " characters");
    }
    return id.textValue();
  }

  private static ApiException lineError(int line, String pointer, String detail) {
    return ApiException.invalid(pointer, detail).with("line", line);
  }
}
