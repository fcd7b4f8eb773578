package dev.batchinfer.api.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.lifecycle.CancelHandler;
import dev.batchinfer.api.models.ModelRouter;
import dev.batchinfer.api.submit.BatchAcceptor;
import dev.batchinfer.api.submit.BatchRequestReader;
import dev.batchinfer.api.submit.RequestBodies;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.openai.OpenAiBatches;
import dev.batchinfer.store.openai.UploadedFiles;
import io.javalin.http.Handler;
import java.time.Duration;

/**
 * The OpenAI Batch API, under {@code /openai/v1}: files and batches as OpenAI's SDKs expect them, on the native
 * pipeline (a batch created here is a native batch, read through either surface). See the README's
 * "Coming from the OpenAI Batch API".
 */
public final class OpenAiApi {

  public static final String PREFIX = "/openai/v1";

  private final FileRoutes files;
  private final BatchRoutes batches;

  /**
   * @param fileBodies how uploads are read (their size limit is OPENAI_MAX_FILE_MB)
   * @param maxLines requests in one batch file at most
   * @param maxInputsPerLine inputs in one request's body at most (as a sync predict takes)
   * @param uploadTimeout the longest an upload or a create may take
   */
  public OpenAiApi(Redis redis, BatchStores store, BatchRequestReader reader, ModelRouter router,
      BatchAcceptor acceptor, CancelHandler cancel, RequestBodies fileBodies, ObjectMapper json, long maxLines,
      int maxInputsPerLine, Duration uploadTimeout, Duration fileRetention) {
    UploadedFiles uploaded = new UploadedFiles(redis);
    OpenAiBatches stored = new OpenAiBatches(redis);
    OpenAiView view = new OpenAiView(json);
    OutputFiles outputs = new OutputFiles(store, stored, json);
    BatchCreator creator = new BatchCreator(uploaded, stored, reader, router, acceptor, json, maxLines,
        maxInputsPerLine, uploadTimeout, fileRetention);
    this.batches = new BatchRoutes(store, stored, creator, outputs, cancel, view, json);
    this.files = new FileRoutes(uploaded, stored, batches, outputs, view, fileBodies, uploadTimeout, fileRetention);
  }

  public Handler uploadFile() {
    return files::upload;
  }

  public Handler listFiles() {
    return files::list;
  }

  public Handler retrieveFile() {
    return files::retrieve;
  }

  public Handler fileContent() {
    return files::content;
  }

  public Handler deleteFile() {
    return files::delete;
  }

  public Handler createBatch() {
    return batches::create;
  }

  public Handler listBatches() {
    return batches::list;
  }

  public Handler retrieveBatch() {
    return batches::retrieve;
  }

  public Handler cancelBatch() {
    return batches::cancel;
  }
}
