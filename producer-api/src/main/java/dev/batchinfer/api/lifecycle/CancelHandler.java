package dev.batchinfer.api.lifecycle;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStore;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.message.ChunkDone;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /v1/batch/{id}/cancel}: the batch becomes {@code cancelling}; workers skip its
 * remaining chunks (their items are answered {@code cancelled}); finished results stay; when every
 * chunk is accounted for the batch is {@code cancelled} and one {@code batch.cancelled} event goes
 * out. The request goes through the progress topic, so the topology orders it with the chunks.
 */
public final class CancelHandler {

  private final BatchStore store;
  private final Producer<String, ChunkDone> producer;
  private final Topic<String, ChunkDone> progress;
  private final Duration timeout;

  public CancelHandler(BatchStore store, Producer<String, ChunkDone> producer, Topic<String, ChunkDone> progress,
      Duration timeout) {
    this.store = store;
    this.producer = producer;
    this.progress = progress;
    this.timeout = timeout;
  }

  public void cancel(Context ctx) throws Exception {
    String id = ctx.pathParam("id");
    BatchRecord batch = Batches.require(store, Authenticator.principal(ctx).tenant(), id);
    if (batch.status().isFinal()) {
      throw new ApiException(409, "already-final", "Batch already finished",
          "batch " + id + " is already " + batch.status().wire() + "; its results stay readable", null, null);
    }
    store.requestCancel(id); // workers see this within a second and skip what is left
    try {
      producer.send(new ProducerRecord<>(progress.name(), id,
          ChunkDone.cancelRequest(id, batch.chunkCount(), batch.total(), System.currentTimeMillis())))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      // The flag is set: chunks will be skipped. Without the event the batch would end as if it ran
      // to completion with cancelled items; ask the client to repeat the (idempotent) call.
      throw ApiException.unavailable("the cancel was noted but not yet queued; repeat it", Duration.ofSeconds(2));
    }
    ctx.status(202).json(Map.of("batch_id", id, "status", "cancelling"));
  }
}
