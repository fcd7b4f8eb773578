package dev.batchinfer.api.read;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.ResultLines;
import dev.batchinfer.store.batch.ResultMerge;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Status and results, read straight from Redis. Results are readable while the batch runs: the
 * window shows the items already finished and counts the rest as pending.
 */
public final class ReadHandlers {

  public static final String NDJSON = "application/x-ndjson";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  /** Chunks fetched per Redis round trip while streaming every result. */
  static final int STREAM_CHUNKS_PER_READ = 16;

  private final BatchStores store;
  private final BatchView view;

  public ReadHandlers(BatchStores store, BatchView view) {
    this.store = store;
    this.view = view;
  }

  public void status(Context ctx) {
    ctx.json(view.status(find(ctx)));
  }

  public void results(Context ctx) throws IOException {
    BatchRecord batch = find(ctx);
    boolean merged = merged(ctx);
    String accept = ctx.header("Accept");
    if (accept != null && accept.contains(NDJSON)) {
      streamAll(ctx, batch, merged);
      return;
    }
    long offset = QueryParams.longParam(ctx, "offset", 0, 0, Long.MAX_VALUE);
    int limit = (int) QueryParams.longParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    long end = offset >= batch.total() ? offset : Math.min(batch.total(), offset + limit);
    List<String> lines = List.of();
    if (offset < end) {
      int firstChunk = batch.chunkOf(offset);
      int lastChunk = batch.chunkOf(end - 1);
      lines = ResultLines.inRange(chunks(batch, firstChunk, lastChunk + 1), offset, end);
      if (merged) {
        lines = mergeRetries(batch, lines, offset, end);
      }
    }
    long window = Math.max(0, end - offset);
    StringBuilder body = new StringBuilder(64 + lines.stream().mapToInt(String::length).sum() + lines.size());
    body.append("{\"batch_id\":\"").append(batch.batchId())
        .append("\",\"status\":\"").append(batch.status().wire())
        .append("\",\"model_version\":\"").append(batch.modelVersion())
        .append("\",\"total\":").append(batch.total())
        .append(",\"offset\":").append(offset)
        .append(",\"limit\":").append(limit)
        .append(",\"returned\":").append(lines.size())
        .append(",\"pending\":").append(window - lines.size())
        .append(",\"next_offset\":").append(end < batch.total() ? Long.toString(end) : "null")
        .append(",\"results\":[");
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append(lines.get(i)); // stored lines are already the JSON objects clients get
    }
    body.append("]}");
    ctx.contentType("application/json").result(body.toString());
  }

  /** Every finished result, one JSON object per line, in input order. */
  private void streamAll(Context ctx, BatchRecord batch, boolean merged) throws IOException {
    ctx.contentType(NDJSON);
    OutputStream out = ctx.outputStream();
    for (int from = 0; from < batch.chunkCount(); from += STREAM_CHUNKS_PER_READ) {
      int to = Math.min(batch.chunkCount(), from + STREAM_CHUNKS_PER_READ);
      if (merged && !batch.childBatchIds().isEmpty()) {
        long first = batch.chunkStarts()[from];
        long end = batch.chunkEnd(to - 1);
        for (String line : mergeRetries(batch, ResultLines.inRange(chunks(batch, from, to), first, end), first, end)) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.write('\n');
        }
        continue;
      }
      for (String chunk : chunks(batch, from, to)) {
        out.write(chunk.getBytes(StandardCharsets.UTF_8));
      }
    }
    out.flush();
  }

  private static boolean merged(Context ctx) {
    String v = ctx.queryParam("merged");
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw ApiException.invalid("merged", "\"merged\" must be true or false, got \"" + v + "\"");
  }

  /**
   * The batch's lines for items {@code [from, to)} with each item a retry answered replaced by that
   * answer (the latest retry's, when several answered it), under the parent's index.
   */
  private List<String> mergeRetries(BatchRecord batch, List<String> lines, long from, long to) {
    java.util.Map<Long, String> replacements = new java.util.HashMap<>();
    for (String childId : batch.childBatchIds()) {
      BatchRecord child = store.records().find(childId).orElse(null);
      if (child == null || child.parentStarts().length == 0) {
        continue; // removed by its retention: the parent's own answers stand
      }
      int first = Math.max(0, child.chunkOfParentIndex(from));
      int last = child.chunkOfParentIndex(to - 1);
      if (last >= 0) {
        ResultMerge.collect(store.results().read(childId, first, last + 1), childId, from, to, replacements);
      }
    }
    return ResultMerge.apply(lines, replacements);
  }

  private List<String> chunks(BatchRecord batch, int from, int to) {
    return BatchResults.chunks(store, batch, from, to);
  }

  private BatchRecord find(Context ctx) {
    String id = ctx.pathParam("id");
    return Batches.require(store, Authenticator.principal(ctx).tenant(), id);
  }

}
