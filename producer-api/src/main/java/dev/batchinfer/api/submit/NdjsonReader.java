package dev.batchinfer.api.submit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.submit.Upload.Duplicate;
import dev.batchinfer.models.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads an NDJSON upload: one input a line, as it streams in. */
public final class NdjsonReader {

  /** The longest custom_id accepted, in characters. */
  public static final int MAX_CUSTOM_ID_CHARS = 128;
  /** Duplicate custom ids a dry run lists (it counts them all). */
  static final int MAX_DUPLICATES_LISTED = 100;

  private final ObjectMapper json;

  NdjsonReader(ObjectMapper json) {
    this.json = json;
  }

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
  Upload read(InputStream body, ModelConfig model, Chunker chunker, long maxItems, boolean listDuplicates) {
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
          throw ApiException.tooLarge("", "more than " + maxItems + " lines in one upload: split the batch")
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
          payload = InputEncoder.encode(model, chunker, input, pointer, "line " + line, customId);
        } catch (ApiException e) {
          throw e.with("line", line);
        }
        chunker.add(index++, payload, customId, -1);
      }
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      int where = at == null ? line : at.getLineNr();
      throw lineError(where, "", "line " + where + " is not valid JSON: " + JsonBodyReader.jsonProblem(e));
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
