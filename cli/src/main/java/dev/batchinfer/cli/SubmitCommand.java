package dev.batchinfer.cli;

import dev.batchinfer.client.Batch;
import dev.batchinfer.client.BatchClient;
import dev.batchinfer.client.SubmitOptions;
import dev.batchinfer.client.Upload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code batch submit FILE}: streams the file as one batch; with {@code --wait}, follows it to its end. */
@Command(name = "submit", description = "Submit a file of inputs (native NDJSON, raw inputs, or OpenAI batch JSONL) "
    + "as one batch; it is streamed, never held in memory.")
final class SubmitCommand implements Callable<Integer> {

  @ParentCommand
  BatchCli root;

  @Parameters(index = "0", description = "The file: NDJSON ({\"input\": ..., \"custom_id\": ...} a line), raw inputs "
      + "end to end (.bin, .raw), or OpenAI batch JSONL")
  Path file;

  @Option(names = "--model", description = "The model (OpenAI JSONL: else the one its lines' url names)")
  String model;

  @Option(names = "--format", description = "auto, ndjson, raw or openai (default ${DEFAULT-VALUE})",
      defaultValue = "auto")
  String format;

  @Option(names = "--priority", description = "low, normal or high")
  String priority;

  @Option(names = "--callback-url", description = "Where the signed webhooks of the batch go")
  String callbackUrl;

  @Option(names = "--completion-window", description = "e.g. 24h: unfinished items expire after it")
  String completionWindow;

  @Option(names = "--wait", description = "Follow the batch until it ends (exit 1 unless it completed)")
  boolean await;

  @Override
  public Integer call() throws Exception {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read " + file);
    }
    InputFiles.Format kind = InputFiles.detect(file, format);
    String m = model != null ? model : kind == InputFiles.Format.OPENAI ? InputFiles.openAiModel(file) : null;
    if (m == null) {
      throw new IllegalArgumentException("--model is required" + (kind == InputFiles.Format.OPENAI
          ? " (the file's url is not /v1/models/{model}/predict)" : ""));
    }
    SubmitOptions options = SubmitOptions.model(m);
    if (priority != null) {
      options = options.priority(priority);
    }
    if (callbackUrl != null) {
      options = options.callbackUrl(callbackUrl);
    }
    if (completionWindow != null) {
      options = options.with("completion_window", completionWindow);
    }
    long size = Files.size(file);
    Progress bytes = root.progress("bytes");
    String status = "uploading " + file.getFileName();
    Upload upload = kind == InputFiles.Format.OPENAI
        ? Upload.opening(() -> InputFiles.openAiAsNdjson(file, n -> bytes.update(n, size, status)))
        : Upload.of(file).onProgress(n -> bytes.update(n, size, status));
    BatchClient client = root.client();
    Batch b = kind == InputFiles.Format.RAW ? client.submitRaw(options, upload) : client.submitNdjson(options, upload);
    bytes.finish();
    if (!await) {
      root.print(b);
      return BatchCli.OK;
    }
    if (!root.json) {
      root.err.println("batch " + b.id() + " queued: " + b.total() + " items for " + b.model() + " " + b.modelVersion());
    }
    return root.watch(client, b.id());
  }
}
