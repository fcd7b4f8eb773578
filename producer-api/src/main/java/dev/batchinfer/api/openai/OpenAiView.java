package dev.batchinfer.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.store.RedisKeys.OpenAiBatchField;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.openai.OpenAiBatches;
import dev.batchinfer.store.openai.UploadedFiles;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's batch and file objects, made from the native batch underneath. The status is the native one in OpenAI's
 * words: queued or processing is {@code in_progress} ({@code finalizing} once every item has ended), every native
 * final status where items ran is {@code completed} (failed items go to the error file), {@code failed} is kept for
 * a batch refused in validation, as there. Timestamps are Unix seconds.
 */
final class OpenAiView {

  static final String BATCH_PREFIX = "batch_";
  static final String OUTPUT_PREFIX = "file-out-";
  static final String ERROR_PREFIX = "file-err-";

  /** An OpenAI batch as the view needs it: the stored record, its native batch (if queued) and its final files. */
  record Batch(OpenAiBatches.Stored stored, BatchRecord nativeRecord, OutputFiles.Summary summary) {
    /** The id of its output or error file: once final, if it has lines and was not deleted; else null. */
    String fileId(OutputFiles.Kind kind) {
      boolean output = kind == OutputFiles.Kind.OUTPUT;
      boolean kept = summary != null && (output ? summary.completed() : summary.failed()) > 0
          && !stored.has(output ? OpenAiBatchField.OUTPUT_DELETED : OpenAiBatchField.ERROR_DELETED);
      return kept ? (output ? OUTPUT_PREFIX : ERROR_PREFIX) + stored.batchId() : null;
    }

    String status() {
      if (stored.state().equals(OpenAiBatches.FAILED)) {
        return "failed";
      }
      if (nativeRecord == null) {
        return stored.state().equals(OpenAiBatches.VALIDATING) ? "validating" : "failed";
      }
      BatchRecord r = nativeRecord;
      return switch (r.status()) {
        // Cancelled here, not yet seen by the progress topology (it orders the cancel with the chunks).
        case QUEUED, PROCESSING -> stored.has(OpenAiBatchField.CANCELLING_AT) ? "cancelling"
            : r.completed() + r.failed() + r.cancelled() >= r.total() ? "finalizing" : "in_progress";
        case CANCELLING -> "cancelling";
        case CANCELLED -> "cancelled";
        case EXPIRED -> "expired";
        case COMPLETED, COMPLETED_WITH_ERRORS, FAILED -> "completed";
      };
    }
  }

  private final ObjectMapper json;

  OpenAiView(ObjectMapper json) {
    this.json = json;
  }

  Map<String, Object> batch(Batch b) {
    OpenAiBatches.Stored s = b.stored();
    BatchRecord r = b.nativeRecord();
    String status = b.status();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", BATCH_PREFIX + s.batchId());
    m.put("object", "batch");
    m.put("endpoint", s.get(OpenAiBatchField.ENDPOINT));
    m.put("errors", s.has(OpenAiBatchField.ERRORS)
        ? Map.of("object", "list", "data", tree(s.get(OpenAiBatchField.ERRORS))) : null);
    m.put("input_file_id", s.get(OpenAiBatchField.INPUT_FILE_ID));
    m.put("completion_window", s.get(OpenAiBatchField.COMPLETION_WINDOW));
    m.put("status", status);
    m.put("output_file_id", b.fileId(OutputFiles.Kind.OUTPUT));
    m.put("error_file_id", b.fileId(OutputFiles.Kind.ERRORS));
    m.put("created_at", s.number(OpenAiBatchField.CREATED_AT));
    m.put("in_progress_at", r == null ? null : seconds(r.created()));
    m.put("expires_at", r == null ? null : seconds(r.deadline()));
    Instant ended = r == null ? null : r.completedAt();
    m.put("finalizing_at", "completed".equals(status) ? seconds(ended) : null);
    m.put("completed_at", "completed".equals(status) ? seconds(ended) : null);
    m.put("failed_at", s.has(OpenAiBatchField.FAILED_AT) ? s.number(OpenAiBatchField.FAILED_AT) : null);
    m.put("expired_at", "expired".equals(status) ? seconds(ended) : null);
    m.put("cancelling_at", s.has(OpenAiBatchField.CANCELLING_AT) ? s.number(OpenAiBatchField.CANCELLING_AT) : null);
    m.put("cancelled_at", "cancelled".equals(status) ? seconds(ended) : null);
    m.put("request_counts", counts(b));
    m.put("metadata", s.has(OpenAiBatchField.METADATA) ? tree(s.get(OpenAiBatchField.METADATA)) : null);
    m.put("model", r == null ? null : r.model());
    // Not OpenAI's: where the same batch is read through the native routes.
    m.put("native_batch_id", r == null ? null : r.batchId());
    return m;
  }

  /**
   * In requests (lines). Once final, from the files; while running, from the native item counts when every line
   * holds one input (then items are lines); lines of several inputs are counted when the batch is final.
   */
  private static Map<String, Object> counts(Batch b) {
    OpenAiBatches.Stored s = b.stored();
    long total = s.number(OpenAiBatchField.LINES);
    long completed = 0;
    long failed = s.number(OpenAiBatchField.LINES_REFUSED);
    if (b.summary() != null) {
      completed = b.summary().completed();
      failed = b.summary().failed();
    } else if (b.nativeRecord() != null && "1".equals(s.get(OpenAiBatchField.SINGLE_INPUT))) {
      completed = b.nativeRecord().completed();
      failed += b.nativeRecord().failed();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", total);
    m.put("completed", completed);
    m.put("failed", failed);
    return m;
  }

  Map<String, Object> file(UploadedFiles.StoredFile f) {
    return file(f.id(), f.bytes(), f.createdAtSeconds(), f.filename(), f.purpose());
  }

  static Map<String, Object> file(String id, long bytes, long createdAt, String filename, String purpose) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("object", "file");
    m.put("bytes", bytes);
    m.put("created_at", createdAt);
    m.put("filename", filename);
    m.put("purpose", purpose);
    m.put("status", "processed");
    m.put("status_details", null);
    return m;
  }

  /** OpenAI's list envelope. */
  static Map<String, Object> list(java.util.List<Map<String, Object>> data, boolean hasMore) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "list");
    m.put("data", data);
    m.put("first_id", data.isEmpty() ? null : data.get(0).get("id"));
    m.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).get("id"));
    m.put("has_more", hasMore);
    return m;
  }

  private static Long seconds(Instant t) {
    return t == null ? null : t.getEpochSecond();
  }

  private JsonNode tree(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is not JSON", e);
    }
  }

  static boolean isFinal(BatchRecord r) {
    return r != null && r.status().isFinal();
  }
}
