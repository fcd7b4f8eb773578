package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.api.submit.BatchAcceptor;
import dev.batchinfer.api.submit.BatchOptions;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.Chunker;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.batch.ResultLines;
import dev.batchinfer.store.batch.ResultMerge;
import dev.batchinfer.topics.message.InferenceChunk;
import dev.batchinfer.topics.serde.ChunkCodec;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/batch/{id}/retry}: a child batch of the parent's items that ended without a
 * result (failed, cancelled or expired) and that no earlier retry has answered with one. The inputs
 * come from what workers stored when those items ended (the request topic is not read again); each
 * child item carries its parent index and custom id, so its result maps back, and
 * {@code results?merged=true} on the parent shows the merged view.
 *
 * <p>Only a final parent is retried, and only once every earlier retry is final; a retry batch is
 * not retried itself (its parent is, again). Items of chunks
 * that no worker has handed back yet (an expired or cancelled batch whose remaining chunks still
 * wait unread in Kafka) have no stored input: they are left out and counted as
 * {@code not_yet_retryable}; a later retry takes them once a worker has passed over them. If that is
 * all there is, the answer is 409 with Retry-After.
 */
public final class RetryHandler {

  private static final int CHUNKS_PER_READ = 16;
  private static final Duration LEASE = Duration.ofMinutes(2);

  private final BatchStores store;
  private final BatchAcceptor acceptor;
  private final BatchRequestReader reader;
  private final ModelRouter router;
  private final BatchView view;

  public RetryHandler(BatchStores store, BatchAcceptor acceptor, BatchRequestReader reader, ModelRouter router,
      BatchView view) {
    this.store = store;
    this.acceptor = acceptor;
    this.reader = reader;
    this.router = router;
    this.view = view;
  }

  public void retry(Context ctx) {
    String tenant = Authenticator.principal(ctx).tenant();
    String id = ctx.pathParam("id");
    BatchRecord parent = Batches.require(store, tenant, id);
    if (parent.parentBatchId() != null) {
      // Merged results cover one level of retries: a retry's own failures are retried from its parent.
      throw new ApiException(422, "retry-of-retry", "A retry is not retried itself", "batch " + id
          + " is a retry of batch " + parent.parentBatchId() + "; retry " + parent.parentBatchId()
          + " again instead: that takes every item no retry has answered yet", null, null);
    }
    if (!parent.status().isFinal()) {
      throw new ApiException(409, "not-final", "Batch still running", "batch " + id + " is " + parent.status().wire()
          + "; retry its failures once it has finished (or cancel it first)", null, Duration.ofSeconds(30));
    }
    if (!store.retryLease().take(id, LEASE)) {
      throw new ApiException(409, "retry-in-progress", "Retry in progress", "another retry of batch " + id
          + " is being created; repeat when it has been", null, Duration.ofSeconds(2));
    }
    try {
      BitSet answered = answeredByRetries(parent);
      String childId = UUID.randomUUID().toString();
      // The child runs on the version the parent was pinned to: its inputs are encoded for it.
      ModelConfig model = router.select(parent.model(), parent.modelVersion(), childId, "model");
      BatchOptions options = new BatchOptions(model, parent.priority(), parent.callbackUrl(), parent.callbackEvents(),
          parent.metadataJson(), null, parent.retention(), parent.steering().runPastDeadline());
      try (BatchAcceptor.Pending pending = acceptor.beginRetry(childId, tenant, options, id)) {
        Chunker chunker = reader.newChunker(model, pending);
        long[] counts = collect(parent, answered, chunker); // {not yet retryable, without stored input}
        chunker.finish();
        long items = chunker.itemCount();
        if (items == 0) {
          if (counts[0] > 0) {
            throw new ApiException(409, "not-yet-retryable", "Nothing to retry yet", counts[0] + " items of batch " + id
                + " are in chunks no worker has handed back yet; retry once they have been", null, Duration.ofSeconds(10));
          }
          throw new ApiException(422, "nothing-to-retry", "Nothing to retry", "every item of batch " + id
              + " has a result" + (counts[1] > 0 ? " or no stored input (" + counts[1] + " items)" : ""), null, null);
        }
        BatchAcceptor.Accepted child = pending.finish(items);
        store.records().linkChild(id, childId);
        Map<String, Object> body = view.accepted(child);
        body.put("retried_items", items);
        body.put("not_yet_retryable", counts[0]);
        body.put("without_stored_input", counts[1]);
        ctx.status(202).header("Location", view.statusPath(childId)).json(body);
      }
    } finally {
      store.retryLease().release(id);
    }
  }

  /** Parent indexes an earlier retry answered with a result; 409 while one is still running. */
  private BitSet answeredByRetries(BatchRecord parent) {
    BitSet answered = new BitSet();
    for (String childId : parent.childBatchIds()) {
      BatchRecord child = store.records().find(childId).orElse(null);
      if (child == null) {
        continue; // past its retention
      }
      if (!child.status().isFinal()) {
        throw new ApiException(409, "retry-running", "A retry is still running", "retry " + childId + " of batch "
            + parent.batchId() + " is " + child.status().wire() + "; retry again once it has finished", null,
            Duration.ofSeconds(30));
      }
      for (int from = 0; from < child.chunkCount(); from += CHUNKS_PER_READ) {
        for (String chunk : store.results().read(childId, from, Math.min(child.chunkCount(), from + CHUNKS_PER_READ))) {
          for (String line : chunk.split("\n")) {
            if (!line.isEmpty() && ResultLines.errorCode(line) == null) {
              answered.set((int) ResultMerge.parentIndexOf(line));
            }
          }
        }
      }
    }
    return answered;
  }

  /**
   * Adds every item to retry to the chunker, in parent order.
   *
   * @return {items in chunks not yet handed back, unsuccessful items without a stored input}
   */
  private long[] collect(BatchRecord parent, BitSet answered, Chunker chunker) {
    long notYet = 0;
    long noInput = 0;
    long next = 0;
    for (int from = 0; from < parent.chunkCount(); from += CHUNKS_PER_READ) {
      int to = Math.min(parent.chunkCount(), from + CHUNKS_PER_READ);
      List<String> results = store.results().readAligned(parent.batchId(), from, to);
      List<byte[]> inputs = store.failedInputs().read(parent.batchId(), from, to);
      for (int k = 0; k < results.size(); k++) {
        int chunk = from + k;
        if (results.get(k) == null) {
          notYet += parent.chunkEnd(chunk) - parent.chunkStarts()[chunk];
          continue;
        }
        InferenceChunk stored = inputs.get(k) == null ? null : ChunkCodec.decode(inputs.get(k));
        Map<Long, Integer> position = new HashMap<>();
        for (int i = 0; stored != null && i < stored.itemCount(); i++) {
          position.put(stored.itemIndex(i), i);
        }
        for (String line : results.get(k).split("\n")) {
          if (line.isEmpty() || ResultLines.errorCode(line) == null) {
            continue;
          }
          long index = ResultLines.indexOf(line);
          if (answered.get((int) index)) {
            continue;
          }
          Integer at = position.get(index);
          if (at == null) {
            noInput++;
            continue;
          }
          byte[] payload = new byte[stored.payloadLength(at)];
          stored.payload(at).get(payload);
          chunker.add(next++, payload, stored.customId(at), index);
        }
      }
    }
    return new long[] {notYet, noInput};
  }
}
