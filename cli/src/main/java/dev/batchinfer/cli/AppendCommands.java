package dev.batchinfer.cli;

import dev.batchinfer.client.Appends;
import dev.batchinfer.client.Batch;
import dev.batchinfer.client.SubmitOptions;
import dev.batchinfer.client.Upload;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Open batches: one created empty, items appended from files as they come, then its total fixed. */
final class AppendCommands {

  private AppendCommands() {}

  @Command(name = "open", description = "Create an open batch: it takes items by `append` until `finalize`, and runs "
      + "them as they arrive.")
  static final class Open implements Callable<Integer> {
    @ParentCommand
    BatchCli root;

    @Option(names = "--model", required = true, description = "The model, e.g. fashion-mnist")
    String model;

    @Option(names = "--priority", description = "low, normal or high (default: normal)")
    String priority;

    @Override
    public Integer call() throws Exception {
      SubmitOptions options = SubmitOptions.model(model).open();
      Batch b = root.client().submit(priority == null ? options : options.priority(priority), List.of());
      root.print(b);
      return BatchCli.OK;
    }
  }

  @Command(name = "append", description = "Append a file's items to an open batch: NDJSON lines (custom ids unique "
      + "across appends) or raw inputs (.bin/.raw). Retried, it appends nothing twice.")
  static final class Append extends OnBatch {
    @Parameters(index = "1", description = "The file of items")
    Path file;

    @Option(names = "--format", description = "ndjson or raw (default: by the file's extension)")
    String format;

    @Override
    public Integer call() throws Exception {
      InputFiles.Format kind = InputFiles.detect(file, format);
      if (kind == InputFiles.Format.OPENAI) {
        throw new IllegalArgumentException("an append takes native NDJSON or raw inputs, not OpenAI batch lines");
      }
      Appends appends = root.client().appends();
      Appends.Appended a = kind == InputFiles.Format.RAW ? appends.appendRaw(id, Upload.of(file))
          : appends.appendNdjson(id, Upload.of(file));
      if (root.json) {
        root.printJson(a.raw());
      } else {
        root.out.println("appended " + a.appended() + " items to " + a.batchId() + " (items " + a.firstIndex() + " to "
            + (a.total() - 1) + ")");
      }
      return BatchCli.OK;
    }
  }

  @Command(name = "finalize", description = "Fix an open batch's total at what its appends hold: it completes once "
      + "they have all ended.")
  static final class Finalize extends OnBatch {
    @Override
    public Integer call() throws Exception {
      var answer = root.client().appends().finalizeBatch(id);
      if (root.json) {
        root.printJson(answer);
      } else {
        root.out.println("finalized " + id + " at " + answer.path("total").asLong() + " items");
      }
      return BatchCli.OK;
    }
  }
}
