package dev.batchinfer.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchinfer.api.read.BatchResults;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.openai.OpenAiBatches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The output and error files of a finished OpenAI batch, made from its native results as they are read, never
 * stored twice: the line table says which items answer each line; a line whose items all have a result goes to the
 * output file, any other to the error file. Memory holds a few chunks of results and a block of the table.
 */
final class OutputFiles {

  enum Kind { OUTPUT, ERRORS }

  /** A line of either file. */
  interface Sink {
    void line(Kind kind, String json) throws IOException;
  }

  /** What the files hold. */
  record Summary(long completed, long failed, long outputBytes, long errorBytes) {}

  private static final int CHUNKS_PER_READ = 16;
  private static final int BLOCKS_PER_READ = 4;

  private final BatchStores store;
  private final OpenAiBatches batches;
  private final ObjectMapper json;

  OutputFiles(BatchStores store, OpenAiBatches batches, ObjectMapper json) {
    this.store = store;
    this.batches = batches;
    this.json = json;
  }

  Summary summarize(BatchRecord batch) {
    long[] s = new long[4];
    try {
      render(batch, (kind, line) -> {
        int bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        if (kind == Kind.OUTPUT) {
          s[0]++;
          s[2] += bytes;
        } else {
          s[1]++;
          s[3] += bytes;
        }
      });
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return new Summary(s[0], s[1], s[2], s[3]);
  }

  /** Every line of both files, in input order. */
  void render(BatchRecord batch, Sink sink) throws IOException {
    Results results = new Results(batch);
    int blocks = batches.lineBlocks(batch.batchId());
    long request = 0;
    for (int from = 0; from < blocks; from += BLOCKS_PER_READ) {
      for (String block : batches.lineBlocks(batch.batchId(), from, Math.min(blocks, from + BLOCKS_PER_READ))) {
        for (String entry : block.split("\n")) {
          JsonNode e = json.readTree(entry);
          request++;
          String customId = e.get(0).textValue();
          String id = "batch_req_" + batch.batchId() + "_" + request;
          int count = e.get(2).intValue();
          if (count == 0) {
            sink.line(Kind.ERRORS, refused(id, customId, batch, e));
            continue;
          }
          long first = e.get(1).longValue();
          ArrayNode answers = json.createArrayNode();
          String failure = null;
          String skipped = null;
          for (int i = 0; i < count; i++) {
            JsonNode item = results.next(first + i);
            JsonNode result = item.get("result");
            if (result != null) {
              answers.add(result);
              continue;
            }
            JsonNode error = item.get("error");
            answers.add(json.createObjectNode().set("error", error));
            String code = error.path("code").asText();
            if (code.equals("cancelled") || code.equals("expired")) {
              skipped = skipped == null ? code : skipped;
            } else if (failure == null) {
              failure = code;
            }
          }
          if (failure == null && skipped == null) {
            sink.line(Kind.OUTPUT, answered(id, customId, batch, answers, 200, null));
          } else if (failure == null) {
            sink.line(Kind.ERRORS, notRun(id, customId, skipped));
          } else {
            sink.line(Kind.ERRORS, answered(id, customId, batch, answers, statusOf(failure), failure));
          }
        }
      }
    }
  }

  private static int statusOf(String code) {
    return switch (code) {
      case "invalid_input" -> 400;
      case "model_unavailable" -> 503;
      default -> 500;
    };
  }

  private String answered(String id, String customId, BatchRecord batch, ArrayNode answers, int status, String code)
      throws IOException {
    ObjectNode body = json.createObjectNode();
    body.put("id", id);
    body.put("model", batch.model());
    body.put("model_version", batch.modelVersion());
    if (code != null) {
      ObjectNode error = body.putObject("error");
      error.put("message", "an input of this request failed: " + code + " (see results)");
      error.put("type", status < 500 ? "invalid_request_error" : "server_error");
      error.putNull("param");
      error.put("code", code);
    }
    body.set("results", answers);
    return line(id, customId, response(id, status, body), null);
  }

  private String notRun(String id, String customId, String code) throws IOException {
    ObjectNode error = json.createObjectNode();
    error.put("code", "batch_" + code);
    error.put("message", code.equals("cancelled") ? "the batch was cancelled before this request ran"
        : "the batch's completion window ended before this request ran");
    return line(id, customId, null, error);
  }

  private String refused(String id, String customId, BatchRecord batch, JsonNode e) throws IOException {
    ObjectNode body = json.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("message", e.get(4).textValue());
    error.put("type", "invalid_request_error");
    error.set("param", e.get(5));
    error.put("code", e.get(3).textValue());
    return line(id, customId, response(id, 400, body), null);
  }

  private ObjectNode response(String id, int status, ObjectNode body) {
    ObjectNode r = json.createObjectNode();
    r.put("status_code", status);
    r.put("request_id", id.replace("batch_req_", "req_"));
    r.set("body", body);
    return r;
  }

  private String line(String id, String customId, ObjectNode response, ObjectNode error) throws IOException {
    ObjectNode l = json.createObjectNode();
    l.put("id", id);
    l.put("custom_id", customId);
    l.set("response", response);
    l.set("error", error);
    return json.writeValueAsString(l);
  }

  /** The batch's result lines in index order, a few chunks at a time. */
  private final class Results {
    private final BatchRecord batch;
    private final Deque<String> lines = new ArrayDeque<>();
    private int nextChunk;

    Results(BatchRecord batch) {
      this.batch = batch;
    }

    JsonNode next(long index) throws IOException {
      while (lines.isEmpty()) {
        if (nextChunk >= batch.chunkCount()) {
          throw new IllegalStateException("batch " + batch.batchId() + " has no result for item " + index);
        }
        int to = Math.min(batch.chunkCount(), nextChunk + CHUNKS_PER_READ);
        List<String> chunks = BatchResults.chunks(store, batch, nextChunk, to);
        nextChunk = to;
        for (String chunk : chunks) {
          for (String l : chunk.split("\n")) {
            if (!l.isEmpty()) {
              lines.add(l);
            }
          }
        }
      }
      JsonNode item = json.readTree(lines.poll());
      if (item.path("index").longValue() != index) {
        throw new IllegalStateException("batch " + batch.batchId() + ": result " + item.path("index") + " where item "
            + index + " was expected");
      }
      return item;
    }
  }
}
