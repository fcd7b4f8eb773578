package dev.batchinfer.api.openai;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.QueryParams;
import dev.batchinfer.api.submit.RequestBodies;
import dev.batchinfer.store.RedisKeys.OpenAiBatchField;
import dev.batchinfer.store.openai.OpenAiBatches;
import dev.batchinfer.store.openai.UploadedFiles;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /openai/v1/files}: uploads stored as they stream in (see {@link UploadedFiles}), and the output and error
 * files of finished batches, made from their results when read (see {@link OutputFiles}).
 */
final class FileRoutes {

  private static final Logger log = LoggerFactory.getLogger(FileRoutes.class);

  static final String PURPOSE_BATCH = "batch";
  static final String PURPOSE_OUTPUT = "batch_output";
  /** A request line at most: a line of a batch file is one request. */
  static final int MAX_LINE_BYTES = 8 * 1024 * 1024;
  static final int DEFAULT_LIMIT = 10_000;
  private static final int PIECES_PER_READ = 8;

  private final UploadedFiles files;
  private final OpenAiBatches batches;
  private final BatchRoutes batchRoutes;
  private final OutputFiles outputs;
  private final OpenAiView view;
  private final RequestBodies bodies;
  private final Duration uploadTimeout;
  private final Duration retention;

  /**
   * @param bodies how an upload is read: cut off at the file size limit, bounded in time
   * @param uploadTimeout the longest an upload takes: an unfinished one's keys expire after twice that
   */
  FileRoutes(UploadedFiles files, OpenAiBatches batches, BatchRoutes batchRoutes, OutputFiles outputs, OpenAiView view,
      RequestBodies bodies, Duration uploadTimeout, Duration retention) {
    this.files = files;
    this.batches = batches;
    this.batchRoutes = batchRoutes;
    this.outputs = outputs;
    this.view = view;
    this.bodies = bodies;
    this.uploadTimeout = uploadTimeout;
    this.retention = retention;
  }

  void upload(Context ctx) throws IOException {
    String tenant = Authenticator.principal(ctx).tenant();
    String boundary = MultipartReader.boundaryOf(ctx.contentType());
    if (boundary == null) {
      throw ApiException.invalid("Content-Type", "upload a file as multipart/form-data with the parts \"file\" and "
          + "\"purpose\"");
    }
    String fileId = null;
    boolean complete = false;
    try (RequestBodies.Body body = bodies.open(ctx)) {
      MultipartReader parts = new MultipartReader(body.stream(), boundary);
      String purpose = null;
      String filename = null;
      LinePieces content = null;
      long created = System.currentTimeMillis() / 1000;
      for (MultipartReader.Part p; (p = parts.next()) != null; ) {
        if (p.name().equals("purpose")) {
          purpose = new String(p.content().readNBytes(64), StandardCharsets.UTF_8).trim();
        } else if (p.name().equals("file")) {
          if (fileId != null) {
            throw ApiException.invalid("file", "one file per upload");
          }
          String id = "file-" + UUID.randomUUID().toString().replace("-", "");
          fileId = id;
          filename = p.filename() == null || p.filename().isBlank() ? "upload.jsonl" : p.filename();
          files.begin(id, tenant, filename, PURPOSE_BATCH, created, uploadTimeout.multipliedBy(2));
          content = new LinePieces(MAX_LINE_BYTES, piece -> files.append(id, piece, uploadTimeout.multipliedBy(2)));
          copy(p.content(), content);
        }
      }
      if (fileId == null) {
        throw ApiException.invalid("file", "the upload has no \"file\" part");
      }
      if (!PURPOSE_BATCH.equals(purpose)) {
        throw ApiException.invalid("purpose", "\"purpose\" must be \"batch\" (this API keeps files for batches only),"
            + " got " + (purpose == null ? "none" : "\"" + purpose + "\""));
      }
      if (content.lines() == 0) {
        throw ApiException.invalid("file", "the file is empty: a batch file holds one request per line");
      }
      files.complete(fileId, tenant, content.bytes(), content.lines(), created, retention);
      complete = true;
      log.info("file {} stored: {} bytes, {} lines", fileId, content.bytes(), content.lines());
      ctx.json(OpenAiView.file(fileId, content.bytes(), created, filename, PURPOSE_BATCH));
    } finally {
      if (fileId != null && !complete) {
        try {
          files.abandon(fileId);
        } catch (RuntimeException e) {
          log.warn("file {}: its unfinished upload stays until it expires: {}", fileId, e.toString());
        }
      }
    }
  }

  private static void copy(InputStream in, LinePieces out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
    }
    out.finish();
  }

  void retrieve(Context ctx) {
    ctx.json(describe(Authenticator.principal(ctx).tenant(), ctx.pathParam("id")));
  }

  void list(Context ctx) {
    String tenant = Authenticator.principal(ctx).tenant();
    String purpose = ctx.queryParam("purpose");
    int limit = QueryParams.limit(ctx, DEFAULT_LIMIT, DEFAULT_LIMIT);
    if (purpose != null && !purpose.equals(PURPOSE_BATCH)) {
      ctx.json(OpenAiView.list(List.of(), false)); // only batch input files are kept as files here
      return;
    }
    List<UploadedFiles.StoredFile> page = files.list(tenant, ctx.queryParam("after"), limit + 1);
    ctx.json(OpenAiView.list(page.stream().limit(limit).map(view::file).toList(), page.size() > limit));
  }

  void delete(Context ctx) {
    String tenant = Authenticator.principal(ctx).tenant();
    String id = ctx.pathParam("id");
    Output out = output(tenant, id);
    if (out != null) {
      batches.update(out.batch().stored().batchId(), Map.of(out.kind() == OutputFiles.Kind.OUTPUT
          ? OpenAiBatchField.OUTPUT_DELETED : OpenAiBatchField.ERROR_DELETED, "1"));
    } else if (!files.delete(tenant, id)) {
      throw ApiException.notFound("no file with id " + id);
    }
    ctx.json(Map.of("id", id, "object", "file", "deleted", true));
  }

  void content(Context ctx) throws IOException {
    String tenant = Authenticator.principal(ctx).tenant();
    String id = ctx.pathParam("id");
    Output out = output(tenant, id);
    ctx.contentType("application/octet-stream");
    OutputStream sink = ctx.outputStream();
    if (out != null) {
      outputs.render(out.batch().nativeRecord(), (kind, line) -> {
        if (kind == out.kind()) {
          sink.write(line.getBytes(StandardCharsets.UTF_8));
          sink.write('\n');
        }
      });
    } else {
      UploadedFiles.StoredFile f = files.find(tenant, id).orElseThrow(() -> ApiException.notFound("no file with id " + id));
      for (int from = 0; from < f.parts(); from += PIECES_PER_READ) {
        for (String piece : files.pieces(id, from, Math.min(f.parts(), from + PIECES_PER_READ))) {
          sink.write(piece.getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    sink.flush();
  }

  private Map<String, Object> describe(String tenant, String id) {
    Output out = output(tenant, id);
    if (out == null) {
      return view.file(files.find(tenant, id).orElseThrow(() -> ApiException.notFound("no file with id " + id)));
    }
    OutputFiles.Summary s = out.batch().summary();
    return OpenAiView.file(id, out.kind() == OutputFiles.Kind.OUTPUT ? s.outputBytes() : s.errorBytes(),
        out.batch().nativeRecord().completedAt().getEpochSecond(), out.batch().stored().batchId() + "_"
            + (out.kind() == OutputFiles.Kind.OUTPUT ? "output" : "error") + ".jsonl", PURPOSE_OUTPUT);
  }

  /** A batch's output or error file named by {@code id}, if it is one and exists; null if {@code id} is no such name. */
  private Output output(String tenant, String id) {
    OutputFiles.Kind kind = id.startsWith(OpenAiView.OUTPUT_PREFIX) ? OutputFiles.Kind.OUTPUT
        : id.startsWith(OpenAiView.ERROR_PREFIX) ? OutputFiles.Kind.ERRORS : null;
    if (kind == null) {
      return null;
    }
    String batchId = id.substring(kind == OutputFiles.Kind.OUTPUT ? OpenAiView.OUTPUT_PREFIX.length()
        : OpenAiView.ERROR_PREFIX.length());
    OpenAiView.Batch b;
    try {
      b = batchRoutes.load(tenant, OpenAiView.BATCH_PREFIX + batchId);
    } catch (ApiException e) {
      throw ApiException.notFound("no file with id " + id);
    }
    if (!id.equals(b.fileId(kind))) {
      throw ApiException.notFound("no file with id " + id);
    }
    return new Output(b, kind);
  }

  private record Output(OpenAiView.Batch batch, OutputFiles.Kind kind) {}
}
