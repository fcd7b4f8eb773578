package dev.batchinfer.cli;

import dev.batchinfer.client.Batch;
import dev.batchinfer.client.BatchClient;
import dev.batchinfer.client.BatchEvent;
import dev.batchinfer.client.BatchPage;
import dev.batchinfer.client.EventSubscription;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The commands on one batch, and the list. */
final class BatchCommands {

  private BatchCommands() {}

  @Command(name = "status", description = "A batch's status; with --watch, followed until it ends.")
  static final class Status extends OnBatch {
    @Option(names = "--watch", description = "Follow the batch until it ends (exit 1 unless it completed)")
    boolean watch;

    @Override
    public Integer call() throws Exception {
      BatchClient client = root.client();
      if (watch) {
        return root.watch(client, id);
      }
      root.print(client.status(id));
      return BatchCli.OK;
    }
  }

  @Command(name = "results", description = "Download a batch's results as NDJSON, one line per finished item, in "
      + "input order (readable while it runs).")
  static final class Results extends OnBatch {
    @Option(names = {"-o", "--output"}, description = "The file to write (default: standard output)")
    Path output;

    @Option(names = "--merged", description = "Put the answers of retry batches in their items' places")
    boolean merged;

    @Override
    public Integer call() throws Exception {
      BatchClient client = root.client();
      if (output == null) {
        client.downloadResults(id, merged, root.out, n -> { });
        return BatchCli.OK;
      }
      Progress p = root.progress("bytes");
      // Written beside the target and moved into place when whole: a failed download leaves no half file.
      Path partial = output.resolveSibling(output.getFileName() + ".part");
      long bytes;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
        bytes = client.downloadResults(id, merged, out, n -> p.update(n, -1, "downloading results of " + id));
      }
      p.finish();
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      if (root.json) {
        root.printJson(BatchCli.JSON.createObjectNode().put("batch_id", id).put("file", output.toString())
            .put("bytes", bytes));
      } else {
        root.out.println("wrote " + bytes + " bytes to " + output);
      }
      return BatchCli.OK;
    }
  }

  @Command(name = "cancel", description = "Cancel a batch: its remaining items are skipped, finished results stay.")
  static final class Cancel extends OnBatch {
    @Override
    public Integer call() throws Exception {
      root.print(root.client().cancel(id));
      return BatchCli.OK;
    }
  }

  @Command(name = "retry", description = "Run a finished batch's failed items again, as a new batch.")
  static final class Retry extends OnBatch {
    @Option(names = "--wait", description = "Follow the retry batch until it ends")
    boolean await;

    @Override
    public Integer call() throws Exception {
      BatchClient client = root.client();
      Batch retry = client.retry(id);
      if (await) {
        return root.watch(client, retry.id());
      }
      root.print(retry);
      return BatchCli.OK;
    }
  }

  @Command(name = "list", description = "Your batches, newest first.")
  static final class ListBatches implements Callable<Integer> {
    @ParentCommand
    BatchCli root;

    @Option(names = "--status", description = "Only batches in this status")
    String status;

    @Option(names = "--model", description = "Only batches of this model")
    String model;

    @Option(names = "--limit", description = "At most this many (default ${DEFAULT-VALUE})", defaultValue = "20")
    int limit;

    @Option(names = "--after", description = "The cursor a previous page gave")
    String after;

    @Override
    public Integer call() throws Exception {
      BatchPage page = root.client().list(status, model, after, limit);
      if (root.json) {
        var arr = BatchCli.JSON.createArrayNode();
        page.batches().forEach(b -> arr.add(b.raw()));
        root.printJson(BatchCli.JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("data", arr)
            .put("next_after", page.nextAfter()));
      } else {
        page.batches().forEach(root::print);
        if (page.nextAfter() != null) {
          root.err.println("more: --after " + page.nextAfter());
        }
      }
      return BatchCli.OK;
    }
  }

  @Command(name = "events", description = "A batch's events as they happen, until it ends (resumes by itself when "
      + "the connection drops).")
  static final class Events extends OnBatch {
    @Option(names = "--last-event-id", description = "Resume after this event")
    String lastEventId;

    @Override
    public Integer call() throws Exception {
      try (EventSubscription sub = root.client().events(id, lastEventId, this::print)) {
        BatchEvent last = sub.done().get();
        return last.batch().status().equals("completed") ? BatchCli.OK : BatchCli.NOT_COMPLETED;
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }

    private void print(BatchEvent e) {
      if (root.json) {
        root.printJson(BatchCli.JSON.createObjectNode().put("id", e.id()).put("event", e.type())
            .set("data", e.batch().raw()));
      } else {
        Batch b = e.batch();
        root.out.printf("%s id=%s %d/%d done (%d failed)%n", e.type(), e.id(),
            b.completed() + b.failed() + b.cancelled(), b.total(), b.failed());
      }
      root.out.flush();
    }
  }
}
