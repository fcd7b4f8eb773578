package dev.batchinfer.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.submit.BatchAcceptor;
import dev.batchinfer.api.submit.BatchOptions;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.Chunker;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.RedisKeys.OpenAiBatchField;
import dev.batchinfer.store.openai.OpenAiBatches;
import dev.batchinfer.store.openai.UploadedFiles;
import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates an OpenAI batch on the native pipeline: validates its input file as OpenAI does, then reads it once more,
 * turning each line's inputs into the batch's items as a streamed NDJSON upload would (the same chunks, the same
 * transaction, the same acceptance), and records which items answer which line. It answers once the batch is
 * queued (or refused): a create either leaves a queued batch or nothing that runs.
 */
final class BatchCreator {

  /** A create request that passed its checks. */
  record Request(String inputFileId, String endpoint, String model, String completionWindow, Duration window,
      String metadataJson) {}

  private final UploadedFiles files;
  private final OpenAiBatches batches;
  private final RequestLines lines;
  private final BatchRequestReader reader;
  private final ModelRouter router;
  private final BatchAcceptor acceptor;
  private final ObjectMapper json;
  private final long maxLines;
  private final int maxInputsPerLine;
  private final Duration validating;
  private final Duration failedRetention;

  /**
   * @param validating the longest a create may take (an upload's timeout): past it, a create still validating died
   * @param failedRetention how long a batch refused in validation stays readable
   */
  BatchCreator(UploadedFiles files, OpenAiBatches batches, BatchRequestReader reader, ModelRouter router,
      BatchAcceptor acceptor, ObjectMapper json, long maxLines, int maxInputsPerLine, Duration validating,
      Duration failedRetention) {
    this.files = files;
    this.batches = batches;
    this.lines = new RequestLines(json);
    this.reader = reader;
    this.router = router;
    this.acceptor = acceptor;
    this.json = json;
    this.maxLines = maxLines;
    this.maxInputsPerLine = maxInputsPerLine;
    this.validating = validating;
    this.failedRetention = failedRetention;
  }

  /** @return the native batch id (the OpenAI id without its prefix) */
  String create(String tenant, Request req, String batchId) {
    UploadedFiles.StoredFile file = files.find(tenant, req.inputFileId())
        .orElseThrow(() -> new ApiException(404, "not-found", "Not found", "no file with id " + req.inputFileId(),
            "input_file_id", null));
    if (!FileRoutes.PURPOSE_BATCH.equals(file.purpose())) {
      throw ApiException.invalid("input_file_id", "file " + file.id() + " has purpose \"" + file.purpose()
          + "\"; a batch's input file is uploaded with purpose \"batch\"");
    }
    ModelConfig model = router.select(req.model(), null, batchId, "endpoint");
    long now = System.currentTimeMillis();
    Map<String, String> fields = new HashMap<>();
    fields.put(OpenAiBatchField.TENANT, tenant);
    fields.put(OpenAiBatchField.ENDPOINT, req.endpoint());
    fields.put(OpenAiBatchField.INPUT_FILE_ID, file.id());
    fields.put(OpenAiBatchField.COMPLETION_WINDOW, req.completionWindow());
    if (req.metadataJson() != null) {
      fields.put(OpenAiBatchField.METADATA, req.metadataJson());
    }
    fields.put(OpenAiBatchField.CREATED_AT, Long.toString(now / 1000));
    fields.put(OpenAiBatchField.STATE, OpenAiBatches.VALIDATING);
    fields.put(OpenAiBatchField.VALIDATING_UNTIL, Long.toString(now + validating.toMillis()));
    batches.begin(batchId, fields, now, validating.multipliedBy(2));

    RequestLines.Verdict verdict = lines.validate(new StoredLines(files, file), req.endpoint(), maxLines);
    if (!verdict.errors().isEmpty()) {
      fail(batchId, verdict.errors());
      return batchId;
    }
    BatchOptions options = new BatchOptions(model, Priority.NORMAL, null, List.of(), req.metadataJson(), req.window(),
        null, false);
    List<RequestLines.LineError> refusals = new ArrayList<>();
    try (BatchAcceptor.Pending pending = acceptor.beginStreamed(batchId, tenant, options)) {
      Chunker chunker = reader.newChunker(model, pending);
      LineTable table = new LineTable(batchId);
      long items = 0;
      long refused = 0;
      boolean singleInput = true;
      for (StoredLines it = new StoredLines(files, file); it.hasNext(); ) {
        RequestLines.Request r = lines.parse(it.next());
        List<byte[]> payloads = new ArrayList<>();
        RequestLines.LineError refusal = encode(model, chunker, r, payloads);
        if (refusal != null) {
          refused++;
          if (refusals.size() < RequestLines.MAX_ERRORS_LISTED) {
            refusals.add(refusal);
          }
          table.refused(r.customId(), refusal);
          continue;
        }
        table.ran(r.customId(), items, payloads.size());
        singleInput &= payloads.size() == 1;
        for (byte[] p : payloads) {
          chunker.add(items++, p, payloads.size() == 1 ? r.customId() : null, -1);
        }
      }
      table.flush();
      if (items == 0) {
        fail(batchId, refusals); // closing the pending batch leaves nothing queued
        return batchId;
      }
      chunker.finish();
      batches.update(batchId, Map.of(OpenAiBatchField.LINES, Long.toString(verdict.lines()),
          OpenAiBatchField.LINES_REFUSED, Long.toString(refused), OpenAiBatchField.SINGLE_INPUT, singleInput ? "1" : "0"));
      pending.finish(items);
    }
    batches.accepted(batchId, Map.of());
    return batchId;
  }

  /** Encodes a line's inputs, or says why its body is refused (then nothing of it is queued). */
  private RequestLines.LineError encode(ModelConfig model, Chunker chunker, RequestLines.Request r, List<byte[]> out) {
    JsonNode inputs = r.body().get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      return new RequestLines.LineError("invalid_request", "line " + r.line()
          + ": the body must hold \"inputs\", a non-empty array of inputs for " + model.model(), "body.inputs", r.line());
    }
    if (inputs.size() > maxInputsPerLine) {
      return new RequestLines.LineError("invalid_request", "line " + r.line() + ": at most " + maxInputsPerLine
          + " inputs per request, got " + inputs.size()
          + ": split the inputs over more request lines", "body.inputs", r.line());
    }
    String customId = inputs.size() == 1 ? r.customId() : null;
    for (int i = 0; i < inputs.size(); i++) {
      try {
        out.add(reader.encodeInput(model, chunker, inputs.get(i), "body.inputs[" + i + "]",
            "line " + r.line() + " input " + i, customId));
      } catch (ApiException e) {
        return new RequestLines.LineError("invalid_request", e.getMessage(), "body.inputs[" + i + "]", r.line());
      }
    }
    return null;
  }

  private void fail(String batchId, List<RequestLines.LineError> errors) {
    try {
      batches.failed(batchId, json.writeValueAsString(errors.stream().map(RequestLines.LineError::json).toList()),
          System.currentTimeMillis() / 1000, failedRetention);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** The line table, written a block at a time (see {@code RedisKeys#openAiLines}). */
  private final class LineTable {
    private final String batchId;
    private final StringBuilder block = new StringBuilder();
    private int inBlock;

    LineTable(String batchId) {
      this.batchId = batchId;
    }

    void ran(String customId, long first, int count) {
      add(List.of(customId, first, count));
    }

    void refused(String customId, RequestLines.LineError e) {
      add(java.util.Arrays.asList(customId, -1, 0, e.code(), e.message(), e.param()));
    }

    private void add(List<Object> entry) {
      try {
        if (inBlock > 0) {
          block.append('\n');
        }
        block.append(json.writeValueAsString(entry));
      } catch (JsonProcessingException impossible) {
        throw new IllegalStateException(impossible);
      }
      if (++inBlock == OpenAiBatches.LINES_PER_BLOCK) {
        flush();
      }
    }

    void flush() {
      if (inBlock > 0) {
        batches.appendLines(batchId, block.toString(), validating.multipliedBy(2));
        block.setLength(0);
        inBlock = 0;
      }
    }
  }
}
