package dev.batchinfer.api.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.idempotency.IdempotencyStore;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.OpenBatches;
import io.javalin.http.Context;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /v1/batch/{id}/items}: appends items to an open batch, in any body a submit takes (a JSON
 * {@code {"inputs": [...]}}, NDJSON lines, raw inputs), validated against the model version the batch is pinned
 * to. The 200 comes once the items are durable in Kafka. With an Idempotency-Key (its own per append), a repeat
 * gets the first answer again and appends nothing.
 */
public final class AppendHandler {

  private final BatchStores store;
  private final BatchRequestReader reader;
  private final ModelRouter router;
  private final Appender appender;
  private final RequestBodies bodies;
  private final long maxNdjsonItems;
  private final IdempotencyStore idempotency;
  private final BatchView view;
  private final ObjectMapper mapper;

  public AppendHandler(BatchStores store, BatchRequestReader reader, ModelRouter router, Appender appender,
      RequestBodies bodies, long maxNdjsonItems, IdempotencyStore idempotency, BatchView view, ObjectMapper mapper) {
    this.store = store;
    this.reader = reader;
    this.router = router;
    this.appender = appender;
    this.bodies = bodies;
    this.maxNdjsonItems = maxNdjsonItems;
    this.idempotency = idempotency;
    this.view = view;
    this.mapper = mapper;
  }

  public void append(Context ctx) throws Exception {
    String tenant = Authenticator.principal(ctx).tenant();
    // Whether it still takes appends is asked once a repeat has had its replay: a retry of an append that landed
    // before the finalize gets its 200 again, not a 409.
    BatchRecord batch = Batches.require(store, tenant, ctx.pathParam("id"));
    try (RequestBodies.Body body = bodies.open(ctx)) {
      String key = ctx.header(SubmitHandler.IDEMPOTENCY_KEY);
      if (key == null) {
        answer(ctx, batch, run(ctx, body, body.stream(), batch, UUID.randomUUID().toString(), () -> { }), false);
        return;
      }
      if (key.isEmpty() || key.length() > 255) {
        throw ApiException.invalid(SubmitHandler.IDEMPOTENCY_KEY, "Idempotency-Key must be 1 to 255 characters");
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      InputStream hashed = new DigestInputStream(body.stream(), sha);
      String appendId = UUID.randomUUID().toString();
      // Scoped to the batch: the same key on another batch's append is another request.
      String scoped = "append:" + batch.batchId() + ":" + key;
      IdempotencyStore.Claim claim = idempotency.claim(tenant, scoped, appendId);
      if (!claim.taken() && claim.abandoned()) {
        claim = afterDeadRequest(ctx, batch, claim, appendId, hashed, sha);
        if (claim == null) {
          return;
        }
      }
      if (!claim.taken()) {
        SubmitHandler.replay(ctx, claim.held(), hashed, sha);
        return;
      }
      IdempotencyStore.Claim held = claim;
      Appender.Added added;
      try {
        added = run(ctx, body, hashed, batch, appendId, () -> {
          hashed.transferTo(OutputStream.nullOutputStream());
          if (!idempotency.stillHeld(held)) {
            throw SubmitHandler.inFlight("a repeat of this request took its Idempotency-Key over while this one stalled");
          }
        });
      } catch (Exception e) {
        idempotency.release(held);
        throw e;
      }
      String json = mapper.writeValueAsString(response(batch, added));
      idempotency.completeAccepted(held, HexFormat.of().formatHex(sha.digest()), 200, view.statusPath(batch.batchId()),
          json);
      ctx.status(200).header("Location", view.statusPath(batch.batchId())).contentType("application/json").result(json);
    }
  }

  /**
   * The key is held by an append whose API died: confirmed, this repeat gets its answer; still holding the batch's
   * slot (being judged), 409; never appended, this request takes the key over.
   */
  private IdempotencyStore.Claim afterDeadRequest(Context ctx, BatchRecord batch, IdempotencyStore.Claim abandoned,
      String appendId, InputStream body, MessageDigest sha) throws Exception {
    String earlier = abandoned.held().batchId();
    Optional<OpenBatches.Appended> done = store.open().confirmed(batch.batchId(), earlier);
    if (done.isPresent()) {
      body.transferTo(OutputStream.nullOutputStream());
      String json = mapper.writeValueAsString(response(batch, Appender.Added.of(earlier, done.get())));
      idempotency.completeAbandoned(abandoned, HexFormat.of().formatHex(sha.digest()), 200,
          view.statusPath(batch.batchId()), json);
      ctx.status(200).header("Location", view.statusPath(batch.batchId())).header("Idempotent-Replayed", "true")
          .contentType("application/json").result(json);
      return null;
    }
    if (store.open().inFlight(batch.batchId()).filter(f -> f.appendId().equals(earlier)).isPresent()) {
      throw SubmitHandler.inFlight("the append that took this Idempotency-Key stopped before it answered, and whether "
          + "it landed is being settled");
    }
    IdempotencyStore.Claim mine = idempotency.takeOver(abandoned, appendId);
    if (mine == null) {
      throw SubmitHandler.inFlight("another repeat of this request took its Idempotency-Key first");
    }
    return mine;
  }

  /** Something to do between reading a body and committing its append. */
  private interface BeforeCommit {
    void run() throws java.io.IOException;
  }

  private Appender.Added run(Context ctx, RequestBodies.Body body, InputStream in, BatchRecord batch, String appendId,
      BeforeCommit before) throws java.io.IOException {
    OpenControl.refuseUnlessOpen(batch, "append to"); // before a body is read for nothing
    // The version the batch is pinned to: every append is encoded for the model its first items ran on.
    ModelConfig model = router.select(batch.model(), batch.modelVersion(), batch.batchId(), "model");
    if (!SubmitHandler.isStreamed(ctx)) {
      body.holdWhole();
      ParsedBatch parsed = reader.readInputsFor(in, model); // read before the slot is taken
      try (Appender.Append append = appender.begin(batch, appendId, false)) {
        parsed.chunks().forEach(append);
        before.run();
        return append.finish();
      }
    }
    boolean raw = SubmitHandler.hasType(ctx, SubmitHandler.RAW);
    try (Appender.Append append = appender.begin(batch, appendId, true)) {
      Chunker chunker = reader.newChunker(model, append);
      if (raw) {
        if (ctx.contentLength() >= 0) {
          chunker.expectInputBytes(ctx.contentLength());
        }
        reader.readRaw(in, model, chunker, maxNdjsonItems);
      } else {
        reader.readNdjson(in, model, chunker, maxNdjsonItems, false);
      }
      before.run();
      return append.finish();
    }
  }

  private void answer(Context ctx, BatchRecord batch, Appender.Added added, boolean replayed) {
    ctx.status(200).header("Location", view.statusPath(batch.batchId()));
    if (replayed) {
      ctx.header("Idempotent-Replayed", "true");
    }
    ctx.json(response(batch, added));
  }

  private static Map<String, Object> response(BatchRecord batch, Appender.Added added) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("batch_id", batch.batchId());
    out.put("append_id", added.appendId());
    out.put("appended", added.items());
    out.put("first_index", added.firstItem());
    out.put("total", added.firstItem() + added.items());
    out.put("finalized", false);
    return out;
  }
}
