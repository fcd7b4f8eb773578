package dev.batchinfer.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.submit.CustomIdSet;
import dev.batchinfer.api.submit.NdjsonReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The checks OpenAI makes while a batch is {@code validating}: every line is a JSON object with a unique
 * {@code custom_id}, {@code "method": "POST"}, the batch's {@code endpoint} as its {@code url} and an object
 * {@code body}. Any failure refuses the whole batch, as there, with the errors listed by line. What a body holds is
 * checked later, line by line: a bad body fails that line alone (its answer goes to the error file).
 */
final class RequestLines {

  /** Errors listed on a refused batch; all are counted. */
  static final int MAX_ERRORS_LISTED = 100;

  /** A line's failure, in OpenAI's shape. */
  record LineError(String code, String message, String param, long line) {
    Map<String, Object> json() {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("code", code);
      m.put("message", message);
      m.put("param", param);
      m.put("line", line);
      return m;
    }
  }

  /** What validation found: the errors (the batch is refused if there are any) and the lines counted. */
  record Verdict(List<LineError> errors, long errorCount, long lines) {}

  /** One valid line: its custom id and its body. */
  record Request(long line, String customId, JsonNode body) {}

  private final ObjectMapper json;

  RequestLines(ObjectMapper json) {
    this.json = json;
  }

  Verdict validate(Iterator<StoredLines.Line> lines, String endpoint, long maxLines) {
    CustomIdSet ids = new CustomIdSet();
    List<LineError> errors = new ArrayList<>();
    long count = 0;
    long errorCount = 0;
    while (lines.hasNext()) {
      StoredLines.Line line = lines.next();
      count++;
      LineError e = count > maxLines
          ? new LineError("too_many_tasks", "the file has more than " + maxLines + " requests; split it", null, line.number())
          : check(line, endpoint, ids);
      if (e != null) {
        errorCount++;
        if (errors.size() < MAX_ERRORS_LISTED) {
          errors.add(e);
        }
        if (count > maxLines) {
          break;
        }
      }
    }
    if (count == 0) {
      errors.add(new LineError("empty_file", "the input file has no requests", null, 0));
      errorCount++;
    }
    return new Verdict(errors, errorCount, count);
  }

  /** A line that passed {@link #validate}. */
  Request parse(StoredLines.Line line) {
    try {
      JsonNode node = json.readTree(line.text());
      return new Request(line.number(), node.get("custom_id").textValue(), node.get("body"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("line " + line.number() + " was valid when the batch was validated", e);
    }
  }

  private LineError check(StoredLines.Line line, String endpoint, CustomIdSet ids) {
    JsonNode node;
    try {
      node = json.readTree(line.text());
    } catch (JsonProcessingException e) {
      return new LineError("invalid_json_line", "line " + line.number() + " is not valid JSON", null, line.number());
    }
    if (!node.isObject()) {
      return new LineError("invalid_json_line", "line " + line.number() + " is not a JSON object", null, line.number());
    }
    for (String field : new String[] {"custom_id", "method", "url", "body"}) {
      if (!node.hasNonNull(field)) {
        return new LineError("missing_required_parameter", "line " + line.number() + " has no \"" + field + "\"",
            field, line.number());
      }
    }
    JsonNode id = node.get("custom_id");
    if (!id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > NdjsonReader.MAX_CUSTOM_ID_CHARS) {
      return new LineError("invalid_custom_id", "line " + line.number() + ": \"custom_id\" must be a string of 1 to "
          + NdjsonReader.MAX_CUSTOM_ID_CHARS + " characters", "custom_id", line.number());
    }
    if (!"POST".equals(node.get("method").asText())) {
      return new LineError("invalid_method", "line " + line.number() + ": \"method\" must be \"POST\"", "method",
          line.number());
    }
    if (!endpoint.equals(node.get("url").asText())) {
      return new LineError("mismatched_endpoint", "line " + line.number() + ": \"url\" is \"" + node.get("url").asText()
          + "\" but the batch's endpoint is \"" + endpoint + "\"; every line must use the batch's endpoint", "url",
          line.number());
    }
    if (!node.get("body").isObject()) {
      return new LineError("invalid_request", "line " + line.number() + ": \"body\" must be a JSON object", "body",
          line.number());
    }
    int first = ids.add(id.textValue(), (int) Math.min(Integer.MAX_VALUE, line.number()));
    if (first > 0) {
      return new LineError("duplicate_custom_id", "line " + line.number() + ": custom_id \"" + id.textValue()
          + "\" was already used on line " + first + "; custom ids must be unique within a batch", "custom_id",
          line.number());
    }
    return null;
  }
}
