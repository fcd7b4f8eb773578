package dev.batchinfer.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.lifecycle.CancelHandler;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.QueryParams;
import dev.batchinfer.store.RedisKeys.OpenAiBatchField;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.openai.OpenAiBatches;
import dev.batchinfer.topics.Topics;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code /openai/v1/batches}: create, retrieve, cancel and list, as OpenAI's Batch API answers them. */
final class BatchRoutes {

  private static final Pattern ENDPOINT = Pattern.compile("/v1/models/([A-Za-z0-9._-]{1,64})/predict");
  private static final Pattern WINDOW = Pattern.compile("([1-9][0-9]{0,3})h");
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private final BatchStores store;
  private final OpenAiBatches batches;
  private final BatchCreator creator;
  private final OutputFiles outputs;
  private final CancelHandler cancel;
  private final OpenAiView view;
  private final ObjectMapper json;

  BatchRoutes(BatchStores store, OpenAiBatches batches, BatchCreator creator, OutputFiles outputs, CancelHandler cancel,
      OpenAiView view, ObjectMapper json) {
    this.store = store;
    this.batches = batches;
    this.creator = creator;
    this.outputs = outputs;
    this.cancel = cancel;
    this.view = view;
    this.json = json;
  }

  void create(Context ctx) throws Exception {
    JsonNode body = body(ctx);
    String inputFileId = text(body, "input_file_id");
    String endpoint = text(body, "endpoint");
    Matcher e = ENDPOINT.matcher(endpoint);
    if (!e.matches()) {
      throw ApiException.invalid("endpoint", "\"endpoint\" must be a model endpoint of this system, "
          + "/v1/models/{model}/predict; got \"" + endpoint + "\"");
    }
    String window = text(body, "completion_window");
    Matcher w = WINDOW.matcher(window);
    long maxHours = Topics.MAX_COMPLETION_WINDOW.toHours();
    if (!w.matches() || Long.parseLong(w.group(1)) > maxHours) {
      throw ApiException.invalid("completion_window", "\"completion_window\" must be a number of hours such as \"24h\","
          + " at most " + maxHours + "h; got \"" + window + "\"");
    }
    String metadata = metadata(body.get("metadata"));
    String tenant = Authenticator.principal(ctx).tenant();
    String id = creator.create(tenant, new BatchCreator.Request(inputFileId, endpoint, e.group(1), window,
        Duration.ofHours(Long.parseLong(w.group(1))), metadata), UUID.randomUUID().toString());
    ctx.json(view.batch(load(tenant, OpenAiView.BATCH_PREFIX + id)));
  }

  void retrieve(Context ctx) {
    ctx.json(view.batch(load(Authenticator.principal(ctx).tenant(), ctx.pathParam("id"))));
  }

  void cancel(Context ctx) throws Exception {
    String tenant = Authenticator.principal(ctx).tenant();
    OpenAiView.Batch b = load(tenant, ctx.pathParam("id"));
    String status = b.status();
    if (status.equals("cancelling") || status.equals("cancelled")) {
      ctx.json(view.batch(b));
      return;
    }
    if (b.nativeRecord() == null || b.nativeRecord().status().isFinal()) {
      throw new ApiException(409, "already-final", "Batch cannot be cancelled", "batch " + ctx.pathParam("id")
          + " is " + status + "; only a validating, in-progress or finalizing batch can be cancelled", null, null);
    }
    batches.update(b.stored().batchId(), Map.of(OpenAiBatchField.CANCELLING_AT,
        Long.toString(System.currentTimeMillis() / 1000)));
    cancel.cancelWhole(b.nativeRecord());
    ctx.json(view.batch(load(tenant, ctx.pathParam("id"))));
  }

  void list(Context ctx) {
    String tenant = Authenticator.principal(ctx).tenant();
    int limit = QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    String after = ctx.queryParam("after");
    List<OpenAiBatches.Stored> page = batches.list(tenant, after == null ? null : nativeId(after), limit + 1);
    List<Map<String, Object>> data = page.stream().limit(limit).map(s -> view.batch(complete(s))).toList();
    ctx.json(OpenAiView.list(data, page.size() > limit));
  }

  /** The tenant's batch by its OpenAI id, with its native batch and (once final) its files; 404 for any other. */
  OpenAiView.Batch load(String tenant, String openAiId) {
    String id = nativeId(openAiId);
    return complete(batches.find(tenant, id).orElseThrow(() -> ApiException.notFound("no batch with id " + openAiId)));
  }

  private OpenAiView.Batch complete(OpenAiBatches.Stored s) {
    if (s.state().equals(OpenAiBatches.FAILED)) {
      return new OpenAiView.Batch(s, null, null);
    }
    BatchRecord r = store.records().find(s.batchId()).orElse(null);
    if (r == null && s.state().equals(OpenAiBatches.VALIDATING)
        && System.currentTimeMillis() > s.number(OpenAiBatchField.VALIDATING_UNTIL)) {
      // The API that ran the create died before it queued anything: say so, once.
      try {
        batches.failed(s.batchId(), json.writeValueAsString(List.of(new RequestLines.LineError("interrupted",
            "the server validating this batch stopped before it was queued; nothing ran: create the batch again", null,
            0).json())), System.currentTimeMillis() / 1000, Duration.ofDays(1));
      } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
        throw new IllegalStateException(impossible);
      }
      return complete(batches.find(s.tenant(), s.batchId()).orElseThrow());
    }
    if (!OpenAiView.isFinal(r)) {
      return new OpenAiView.Batch(s, r, null);
    }
    OutputFiles.Summary summary;
    if (s.has(OpenAiBatchField.LINES_COMPLETED)) {
      summary = new OutputFiles.Summary(s.number(OpenAiBatchField.LINES_COMPLETED),
          s.number(OpenAiBatchField.LINES_FAILED), s.number(OpenAiBatchField.OUTPUT_BYTES),
          s.number(OpenAiBatchField.ERROR_BYTES));
    } else {
      // Once, at the first read after the batch ended; every later read takes the stored figures.
      summary = outputs.summarize(r);
      batches.update(s.batchId(), Map.of(OpenAiBatchField.LINES_COMPLETED, Long.toString(summary.completed()),
          OpenAiBatchField.LINES_FAILED, Long.toString(summary.failed()),
          OpenAiBatchField.OUTPUT_BYTES, Long.toString(summary.outputBytes()),
          OpenAiBatchField.ERROR_BYTES, Long.toString(summary.errorBytes())));
    }
    return new OpenAiView.Batch(s, r, summary);
  }

  static String nativeId(String openAiId) {
    if (!openAiId.startsWith(OpenAiView.BATCH_PREFIX)) {
      throw ApiException.notFound("no batch with id " + openAiId + " (batch ids start with \"batch_\")");
    }
    return openAiId.substring(OpenAiView.BATCH_PREFIX.length());
  }

  private JsonNode body(Context ctx) {
    try {
      JsonNode n = json.readTree(ctx.bodyInputStream());
      if (n != null && n.isObject()) {
        return n;
      }
    } catch (java.io.IOException e) {
      // reported below
    }
    throw ApiException.invalid("", "the body must be a JSON object: {\"input_file_id\", \"endpoint\", "
        + "\"completion_window\", \"metadata\"}");
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw ApiException.invalid(field, "\"" + field + "\" is required: a non-empty string");
    }
    return v.textValue();
  }

  /** OpenAI's rule: up to 16 pairs, keys of at most 64 characters, string values of at most 512. */
  private String metadata(JsonNode m) throws com.fasterxml.jackson.core.JsonProcessingException {
    if (m == null || m.isNull()) {
      return null;
    }
    if (!m.isObject() || m.size() > 16) {
      throw ApiException.invalid("metadata", "\"metadata\" must be an object of at most 16 string pairs");
    }
    for (var it = m.fields(); it.hasNext(); ) {
      var f = it.next();
      if (f.getKey().length() > 64 || !f.getValue().isTextual() || f.getValue().textValue().length() > 512) {
        throw ApiException.invalid("metadata." + f.getKey(), "metadata keys are at most 64 characters and values "
            + "strings of at most 512");
      }
    }
    return json.writeValueAsString(m);
  }
}
