package dev.batchinfer.api.submit;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.store.batch.BatchRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.idempotency.IdempotencyStore;
import dev.batchinfer.api.problem.ApiException;
import io.javalin.http.Context;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import io.javalin.http.Handler;
import java.util.UUID;

/**
 * {@code POST /v1/batch/predict}: validate everything, pin the batch to a model version, record it,
 * commit every chunk to Kafka, and only then answer 202. With an Idempotency-Key, a repeat of the
 * same request gets the first response again and creates nothing.
 */
public final class SubmitHandler implements Handler {


  private final BatchRequestReader reader;
  private final ModelRouter router;
  private final BatchAcceptor acceptor;
  private final BatchView view;
  private final IdempotencyStore idempotency;
  private final ObjectMapper mapper;

  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  public static final String NDJSON = "application/x-ndjson";
  /** A raw upload: the inputs end to end in their wire form (see {@link BatchRequestReader#readRaw}). */
  public static final String RAW = "application/octet-stream";
  /**
   * A raw body of at most this many bytes (by its Content-Length) is read whole before anything is
   * sent, as a JSON body is, and goes out as a JSON body's chunks do (see {@link BatchAcceptor}). Only
   * larger ones are streamed: an upload holds one of the few upload producers while it arrives, and
   * a spike of small raw batches would queue behind them.
   */
  static final long RAW_BUFFERED_MAX_BYTES = 8L * 1024 * 1024;
  public static final String DRY_RUN = "dry_run";

  private final long maxNdjsonItems;
  private final RequestBodies bodies;

  /**
   * @param bodies how bodies are read: size and time limits, and room for those read whole
   * @param maxNdjsonItems lines of one NDJSON upload at most (MAX_NDJSON_ITEMS)
   */
  public SubmitHandler(BatchRequestReader reader, ModelRouter router, BatchAcceptor acceptor, BatchView view,
      RequestBodies bodies, long maxNdjsonItems, IdempotencyStore idempotency, ObjectMapper mapper) {
    this.bodies = bodies;
    this.maxNdjsonItems = maxNdjsonItems;
    this.idempotency = idempotency;
    this.mapper = mapper;
    this.reader = reader;
    this.router = router;
    this.acceptor = acceptor;
    this.view = view;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    try (RequestBodies.Body body = bodies.open(ctx)) {
      handle(ctx, body);
    }
  }

  /**
   * @param body the body, cut off at the size limit and bounded in time: its arrival is what keeps a
   *     streamed upload's transaction (and an Idempotency-Key's claim) open. It takes room in the
   *     body memory where it is read whole, so a replay, which only hashes it, takes none.
   */
  private void handle(Context ctx, RequestBodies.Body body) throws Exception {
    String tenant = Authenticator.principal(ctx).tenant();
    if (dryRun(ctx)) {
      // Nothing is created, so there is nothing to make idempotent: a key is ignored.
      ctx.json(dryRun(ctx, body, tenant));
      return;
    }
    String idempotencyKey = ctx.header(IDEMPOTENCY_KEY);
    if (idempotencyKey == null) {
      Submitted s = submit(ctx, body, body.stream(), tenant, UUID.randomUUID().toString(), () -> { });
      ctx.status(202).header("Location", view.statusPath(s.accepted().record().batchId())).json(s.response(view));
      return;
    }
    if (idempotencyKey.isEmpty() || idempotencyKey.length() > 255) {
      throw ApiException.invalid(IDEMPOTENCY_KEY, "Idempotency-Key must be 1 to 255 characters");
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    InputStream hashed = new DigestInputStream(body.stream(), sha);
    String batchId = UUID.randomUUID().toString();
    IdempotencyStore.Claim claim = idempotency.claim(tenant, idempotencyKey, batchId);
    if (!claim.taken() && claim.abandoned()) {
      claim = afterDeadRequest(ctx, claim, batchId, hashed, sha);
      if (claim == null) {
        return; // answered
      }
    }
    if (!claim.taken()) {
      replay(ctx, claim.held(), hashed, sha);
      return;
    }
    IdempotencyStore.Claim held = claim;
    Submitted s;
    try {
      // The whole body is read and hashed before anything is accepted: a failure up to here leaves
      // nothing behind, so the key is given back and the client may retry with it.
      s = submit(ctx, body, hashed, tenant, batchId, () -> {
        hashed.transferTo(OutputStream.nullOutputStream());
        if (!idempotency.stillHeld(held)) {
          // Our lease lapsed (this API stalled) and a repeat took the key over: it creates the batch, not us.
          throw inFlight("a repeat of this request took its Idempotency-Key over while this one stalled");
        }
      });
    } catch (Exception e) {
      idempotency.release(held);
      throw e;
    }
    // Accepted: from here the key is never released, and the answer is 202 whatever Redis does now.
    BatchRecord record = s.accepted().record();
    String json = mapper.writeValueAsString(s.response(view));
    idempotency.completeAccepted(held, HexFormat.of().formatHex(sha.digest()), 202, view.statusPath(record.batchId()),
        json);
    ctx.status(202).header("Location", view.statusPath(record.batchId())).contentType("application/json").result(json);
  }

  /**
   * The key is held by a request whose API died (its lease lapsed): what became of its batch decides. Accepted:
   * this repeat gets that batch's 202 (and the key keeps it). Not yet judged: 409, come back. Never accepted: this
   * request takes the key over and creates its own batch.
   *
   * @return the claim to go on with, or null if the request was answered here
   */
  private IdempotencyStore.Claim afterDeadRequest(Context ctx, IdempotencyStore.Claim abandoned, String batchId,
      InputStream body, MessageDigest sha) throws Exception {
    String earlier = abandoned.held().batchId();
    switch (acceptor.fate(earlier)) {
      case ACCEPTED -> {
        BatchAcceptor.Accepted a = acceptor.accepted(earlier).orElseThrow(() -> inFlight("its batch is being removed"));
        body.transferTo(OutputStream.nullOutputStream());
        java.util.Map<String, Object> response = view.accepted(a);
        String json = mapper.writeValueAsString(response);
        idempotency.completeAbandoned(abandoned, HexFormat.of().formatHex(sha.digest()), 202, view.statusPath(earlier), json);
        ctx.status(202).header("Location", view.statusPath(earlier)).header("Idempotent-Replayed", "true")
            .contentType("application/json").result(json);
        return null;
      }
      case UNDECIDED -> throw new ApiException(409, "idempotency-in-flight", "Request in progress",
          "the request that took this Idempotency-Key stopped before it answered, and whether its batch was accepted "
              + "is being settled; retry shortly", IDEMPOTENCY_KEY, java.time.Duration.ofSeconds(10));
      default -> {
        IdempotencyStore.Claim mine = idempotency.takeOver(abandoned, batchId);
        if (mine == null) {
          throw inFlight("another repeat of this request took its Idempotency-Key first");
        }
        return mine;
      }
    }
  }

  static ApiException inFlight(String why) {
    return new ApiException(409, "idempotency-in-flight", "Request in progress",
        why + "; retry when it has finished", IDEMPOTENCY_KEY, java.time.Duration.ofSeconds(1));
  }

  /** Something to do between validating a body and accepting its batch. */
  private interface BeforeAccept {
    void run() throws java.io.IOException;
  }

  /** A repeat of a finished request gets its response again; a different body, or one still running, gets an error. */
  static void replay(Context ctx, IdempotencyStore.Entry held, InputStream body, MessageDigest sha) throws Exception {
    if (held.inFlight()) {
      throw inFlight("a request with this Idempotency-Key is still being processed");
    }
    body.transferTo(OutputStream.nullOutputStream());
    if (!HexFormat.of().formatHex(sha.digest()).equals(held.bodyHash())) {
      throw new ApiException(422, "idempotency-key-reused", "Idempotency-Key reused",
          "this Idempotency-Key was used with a different body; use a new key for a new request", IDEMPOTENCY_KEY, null);
    }
    ctx.status(held.status()).header("Location", held.location()).header("Idempotent-Replayed", "true")
        .contentType("application/json").result(held.response());
  }

  /** An accepted batch and what it used. */
  private record Submitted(BatchAcceptor.Accepted accepted, long items, long inputBytes) {
    java.util.Map<String, Object> response(BatchView view) {
      java.util.Map<String, Object> body = view.accepted(accepted);
      body.put("usage", java.util.Map.of("items", items, "input_bytes", inputBytes));
      return body;
    }
  }

  /**
   * @param body takes room in the body memory here, where it is known to be read whole
   * @param in the body's bytes (hashed on the way when an Idempotency-Key came with it)
   */
  private Submitted submit(Context ctx, RequestBodies.Body body, InputStream in, String tenant, String batchId,
      BeforeAccept beforeAccept) throws java.io.IOException {
    String pinned = ctx.header(ModelRouter.VERSION_HEADER);
    if (isStreamed(ctx)) {
      BatchOptions options = reader.readOptions(ctx.queryParamMap(), model -> router.select(model, pinned, batchId, "model"),
          java.util.Set.of(DRY_RUN));
      if (hasType(ctx, RAW) && ctx.contentLength() >= 0 && ctx.contentLength() <= RAW_BUFFERED_MAX_BYTES) {
        body.holdWhole(); // read whole: room before its first byte
        java.util.List<Chunker.ChunkItems> chunks = new java.util.ArrayList<>();
        Chunker chunker = reader.newChunker(options.model(), chunks::add);
        // The body is its inputs end to end: chunks sized from its length, within the room it holds.
        chunker.expectInputBytes(ctx.contentLength());
        Upload upload = reader.readRaw(in, options.model(), chunker, maxNdjsonItems);
        beforeAccept.run();
        return new Submitted(acceptor.accept(batchId, tenant, ParsedBatch.of(options, upload.items(), chunks)),
            upload.items(), upload.inputBytes());
      }
      // Streamed: each full chunk goes to Kafka while the next inputs arrive, in one open transaction.
      try (BatchAcceptor.Pending pending = acceptor.beginStreamed(batchId, tenant, options)) {
        Upload upload = readStreamed(ctx, in, options.model(),
            reader.newChunker(options.model(), pending), false);
        beforeAccept.run();
        return new Submitted(pending.finish(upload.items()), upload.items(), upload.inputBytes());
      }
    }
    body.holdWhole();
    ParsedBatch batch = reader.read(in, model -> router.select(model, pinned, batchId, "/model"));
    beforeAccept.run();
    return new Submitted(acceptor.accept(batchId, tenant, batch), batch.totalItems(), batch.inputBytes());
  }

  /** NDJSON lines or raw inputs, read as they arrive. */
  private Upload readStreamed(Context ctx, InputStream body, dev.batchinfer.models.ModelConfig model,
      Chunker chunker, boolean dryRun) {
    return hasType(ctx, RAW) ? reader.readRaw(body, model, chunker, maxNdjsonItems)
        : reader.readNdjson(body, model, chunker, maxNdjsonItems, dryRun);
  }

  /** Options in the query string, inputs in the body: NDJSON or raw. */
  static boolean isStreamed(Context ctx) {
    return hasType(ctx, NDJSON) || hasType(ctx, RAW);
  }

  static boolean hasType(Context ctx, String wanted) {
    String type = ctx.contentType();
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith(wanted);
  }

  private static boolean dryRun(Context ctx) {
    String v = ctx.queryParam(DRY_RUN);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true") || v.isEmpty()) {
      return true;
    }
    throw ApiException.invalid(DRY_RUN, "\"dry_run\" must be true or false, got \"" + v + "\"");
  }

  /**
   * Validates the whole body exactly as a submit would and says what it would queue; queues nothing,
   * records nothing, takes no rate tokens.
   */
  private java.util.Map<String, Object> dryRun(Context ctx, RequestBodies.Body body, String tenant) {
    String batchId = UUID.randomUUID().toString();
    String pinned = ctx.header(ModelRouter.VERSION_HEADER);
    BatchOptions options;
    Upload upload;
    if (isStreamed(ctx)) {
      options = reader.readOptions(ctx.queryParamMap(), model -> router.select(model, pinned, batchId, "model"),
          java.util.Set.of(DRY_RUN));
      upload = readStreamed(ctx, body.stream(), options.model(), reader.newChunker(options.model(), chunk -> { }),
          true);
    } else {
      body.holdWhole(); // parsed whole, as a submit's
      ParsedBatch batch = reader.read(body.stream(), model -> router.select(model, pinned, batchId, "/model"));
      options = batch.options();
      upload = new Upload(batch.totalItems(), batch.chunks().size(), batch.inputBytes(),
          java.util.List.of(), 0);
    }
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("dry_run", true);
    out.put("model", options.model().model());
    out.put("model_version", options.model().version());
    out.put("priority", options.priority().wire());
    out.put("items", upload.items());
    out.put("chunks", upload.chunks());
    out.put("input_bytes", upload.inputBytes());
    out.put("duplicate_custom_id_count", upload.duplicateCount());
    out.put("duplicate_custom_ids", upload.duplicates().stream().map(d -> java.util.Map.of("custom_id", d.customId(),
        "line", d.line(), "first_line", d.firstLine())).toList());
    var estimate = view.estimate(tenant, batchId, options, upload.items());
    out.put("queue_position", estimate.position());
    out.put("estimated_completion", estimate.completion().toString());
    return out;
  }
}
