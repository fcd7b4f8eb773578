package dev.batchinfer.api.submit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a JSON submit body as a stream: each input is validated against the model's schema and encoded as soon
 * as it is read, so memory holds compact bytes, never the whole JSON tree. If "inputs" comes before "model", the
 * inputs are kept as tokens until the model is known.
 */
final class JsonBodyReader {

  private final ObjectMapper json;
  private final BatchOptionsParser options;
  private final InputEncoder encoder;
  private final int maxItems;

  JsonBodyReader(ObjectMapper json, BatchOptionsParser options, InputEncoder encoder, int maxItems) {
    this.json = json;
    this.options = options;
    this.encoder = encoder;
    this.maxItems = maxItems;
  }

  /**
   * @param resolveModel turns the body's "model" into the version the batch is pinned to
   * @throws ApiException 400 naming the field for anything invalid, 413 for too many inputs
   */
  ParsedBatch read(InputStream body, Function<String, ModelConfig> resolveModel) {
    return parse(body, p -> readObject(p, resolveModel, null));
  }

  /** A sync predict body, {@code {"inputs": [...]}}, for a model already chosen by the path. */
  ParsedBatch readInputsFor(InputStream body, ModelConfig model) {
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
    String priority = null;
    String callbackUrl = null;
    List<String> callbackEvents = null;
    String window = null;
    String retention = null;
    JsonNode metadata = null;
    String onDeadline = null;
    boolean open = false;
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
            chunker = encoder.newChunker(model, null);
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
            chunker = encoder.newChunker(model, null);
            readInputs(p, model, chunker);
          }
        }
        case "priority" -> priority = text(p, value, "/priority", "one of low, normal, high");
        case "callback_url" -> callbackUrl = value == JsonToken.VALUE_NULL ? null
            : text(p, value, "/callback_url", "an absolute http or https URL");
        case "callback_events" -> callbackEvents = readStrings(p, value, "/callback_events",
            "\"callback_events\" must be an array of event types: " + String.join(", ",
                dev.batchinfer.topics.message.BatchEvent.TYPES));
        case "completion_window" -> window = text(p, value, "/completion_window", "a duration such as 10m or 24h");
        case "retention" -> retention = text(p, value, "/retention", "a duration such as 1h or 7d");
        case "metadata" -> metadata = readMetadata(p, value);
        case "on_deadline" -> onDeadline = text(p, value, "/on_deadline", "expire or run");
        case "open" -> {
          if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
            throw ApiException.invalid("/open", "\"open\" must be true (the batch takes appends until finalized) or false");
          }
          open = value == JsonToken.VALUE_TRUE;
        }
        default -> throw ApiException.invalid("/" + field, "unknown field \"" + field + "\": the body takes model, inputs, "
            + "priority, callback_url, callback_events, completion_window, retention, metadata, on_deadline and open");
      }
    }
    if (modelId == null) {
      throw ApiException.invalid("/model", "missing \"model\": name the model to run, e.g. \"fashion-mnist\"");
    }
    if (open && (chunker == null || chunker.itemCount() == 0)) {
      // An open batch may start empty: its items come with its appends.
      chunker = encoder.newChunker(model, null);
    } else if (!sawInputs || chunker == null || chunker.itemCount() == 0) {
      throw ApiException.invalid("/inputs", "\"inputs\" must be a non-empty array of input objects (or, for a batch "
          + "that takes its items by appends, \"open\": true)");
    }
    if (p.nextToken() != null) {
      throw ApiException.invalid("", "unexpected content after the JSON object");
    }
    BatchOptions o = options.parse(model, new BatchOptionsParser.Given(priority, callbackUrl, callbackEvents, window,
        retention, metadata, onDeadline), BatchOptionsParser.Source.JSON_BODY);
    o = open ? o.opened() : o;
    long total = chunker.itemCount();
    return ParsedBatch.of(o, total, chunker.finish());
  }

  private void readInputs(JsonParser p, ModelConfig model, Chunker chunker) throws IOException {
    long index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (index >= maxItems) {
        throw tooMany();
      }
      JsonNode item = json.readTree(p);
      chunker.add(index, InputEncoder.encode(model, chunker, item, "/inputs/" + index, "input " + index, null), null, -1);
      index++;
    }
  }

  private ApiException tooMany() {
    return ApiException.tooLarge("/inputs", "more than " + maxItems + " inputs in one request: split the batch");
  }

  /** Keeps the inputs as tokens until the model is known, counting them so the limit still holds. */
  private TokenBuffer bufferInputs(JsonParser p) throws IOException {
    TokenBuffer buffer = new TokenBuffer(p);
    buffer.writeStartArray();
    long count = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (++count > maxItems) {
        throw tooMany();
      }
      buffer.copyCurrentStructure(p);
    }
    buffer.writeEndArray();
    return buffer;
  }

  private JsonNode readMetadata(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.START_OBJECT) {
      throw ApiException.invalid("/metadata", "\"metadata\" must be a JSON object");
    }
    return json.readTree(p);
  }

  /** An array's elements as text, null for one that is not a string (the options parser names it). */
  private static List<String> readStrings(JsonParser p, JsonToken value, String field, String notAnArray)
      throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw ApiException.invalid(field, notAnArray);
    }
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      out.add(p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null);
      p.skipChildren();
    }
    return out;
  }

  private static String text(JsonParser p, JsonToken value, String field, String expected) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw ApiException.invalid(field, "\"" + field.substring(1) + "\" must be a string: " + expected);
    }
    return p.getText();
  }
}
