package dev.batchinfer.api.submit;

import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.store.batch.BatchRecord;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.UUID;

/**
 * {@code POST /v1/batch/predict}: validate everything, pin the batch to a model version, record it,
 * commit every chunk to Kafka, and only then answer 202.
 */
public final class SubmitHandler implements Handler {

  private final BatchRequestReader reader;
  private final ModelRouter router;
  private final BatchAcceptor acceptor;
  private final BatchView view;
  private final long maxRequestBytes;

  public SubmitHandler(BatchRequestReader reader, ModelRouter router, BatchAcceptor acceptor, BatchView view,
      long maxRequestBytes) {
    this.reader = reader;
    this.router = router;
    this.acceptor = acceptor;
    this.view = view;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public void handle(Context ctx) {
    String batchId = UUID.randomUUID().toString();
    String pinned = ctx.header(ModelRouter.VERSION_HEADER);
    ParsedBatch batch = reader.read(new LimitedInputStream(ctx.bodyInputStream(), maxRequestBytes),
        model -> router.select(model, pinned, batchId, "/model"));
    BatchRecord record = acceptor.accept(batchId, Authenticator.principal(ctx).tenant(), batch);
    ctx.status(202).header("Location", view.statusPath(batchId)).json(view.accepted(record));
  }
}
