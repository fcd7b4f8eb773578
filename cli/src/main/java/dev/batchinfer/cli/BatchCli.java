package dev.batchinfer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.client.Batch;
import dev.batchinfer.client.BatchApiException;
import dev.batchinfer.client.BatchClient;
import dev.batchinfer.client.PauseAnswer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code batch}: the command line of the batch inference system, over the Java client. Exit codes: 0 done (a waited
 * batch completed), 1 a waited batch ended otherwise (completed with errors, failed, cancelled, expired), 2 a usage
 * error, 3 the API refused the request or could not be reached.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, version = "batch 0.1.0",
    description = "Submit and follow batches of model predictions.",
    subcommands = {SubmitCommand.class, BatchCommands.Status.class, BatchCommands.Results.class,
        BatchCommands.Cancel.class, BatchCommands.Retry.class, SteeringCommands.Pause.class,
        SteeringCommands.Resume.class, SteeringCommands.CapacityCommand.class, AppendCommands.Open.class,
        AppendCommands.Append.class, AppendCommands.Finalize.class, BatchCommands.ListBatches.class,
        BatchCommands.Events.class, ModelCommands.class, ModelCommands.Predict.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done (a waited batch completed)", "1:a waited batch did not complete: completed_with_errors, "
        + "failed, cancelled or expired", "2:usage error", "3:the API refused the request or could not be reached"})
public final class BatchCli {

  static final int OK = 0;
  static final int NOT_COMPLETED = 1;
  static final int USAGE = 2;
  static final int API_ERROR = 3;

  static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--url", description = "The API's base URL (else BATCH_API_URL, the config file, "
      + Connection.DEFAULT_URL + ")", scope = CommandLine.ScopeType.INHERIT)
  String url;

  @Option(names = "--key", description = "The API key (else BATCH_API_KEY, the config file, the standalone dev key)",
      scope = CommandLine.ScopeType.INHERIT)
  String key;

  @Option(names = "--config", description = "A config file of url= and key= lines (else BATCH_CONFIG, "
      + "~/.config/batch/config)", scope = CommandLine.ScopeType.INHERIT)
  Path config;

  @Option(names = "--json", description = "Print machine-readable JSON", scope = CommandLine.ScopeType.INHERIT)
  boolean json;

  @Option(names = "--progress", description = "auto (a bar on a terminal, plain lines elsewhere), bar, plain or none",
      defaultValue = "auto", scope = CommandLine.ScopeType.INHERIT)
  String progress;

  @Option(names = "--interval", description = "Seconds between plain progress lines (default ${DEFAULT-VALUE})",
      defaultValue = "5", scope = CommandLine.ScopeType.INHERIT)
  double interval;

  PrintStream out = System.out;
  PrintStream err = System.err;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return run(System.out, System.err, args);
  }

  /** Runs a command line, printing to {@code out} and {@code err}; its exit code. */
  static int run(PrintStream out, PrintStream err, String... args) {
    BatchCli root = new BatchCli();
    root.out = out;
    root.err = err;
    CommandLine cl = new CommandLine(root).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof BatchApiException api) {
        root.err.println("error: " + api.getMessage() + " (HTTP " + api.status() + ")");
        return API_ERROR;
      }
      if (e instanceof UncheckedIOException || e instanceof IOException) {
        root.err.println("error: " + message(e));
        return API_ERROR;
      }
      if (e instanceof IllegalArgumentException) {
        root.err.println("error: " + e.getMessage());
        return USAGE;
      }
      throw e;
    });
    return cl.execute(args);
  }

  private static String message(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
        b.append(": ").append(c.getMessage());
      }
    }
    return b.toString();
  }

  BatchClient client() throws IOException {
    Connection c = Connection.resolve(url, key, config, System.getenv());
    return BatchClient.create(c.url(), c.key());
  }

  Progress progress(String unit) {
    Progress.Mode mode = switch (progress) {
      case "bar" -> Progress.Mode.BAR;
      case "plain" -> Progress.Mode.PLAIN;
      case "none" -> Progress.Mode.NONE;
      case "auto" -> System.console() != null ? Progress.Mode.BAR : Progress.Mode.PLAIN;
      default -> throw new IllegalArgumentException("--progress must be auto, bar, plain or none, got " + progress);
    };
    return new Progress(err, mode, (long) (interval * 1e9), System::nanoTime, unit);
  }

  /** Follows a batch to its end with a progress display; the exit code its final status means. */
  int watch(BatchClient client, String id) {
    Progress p = progress("items");
    Batch last = client.awaitFinal(id, Duration.ofDays(8), b ->
        p.update(b.completed() + b.failed() + b.cancelled(), b.total(), status(b)));
    p.finish();
    print(last);
    return last.status().equals("completed") ? OK : NOT_COMPLETED;
  }

  void print(Batch b) {
    if (json) {
      printJson(b.raw());
    } else {
      out.println(line(b));
    }
  }

  void print(PauseAnswer a) {
    if (json) {
      printJson(a.raw());
    } else {
      out.println(SteeringCommands.line(a));
    }
  }

  /** A batch in one line: id, status (and whether it is paused), model version and counts. */
  static String line(Batch b) {
    return String.format("%s  %s  %s %s  %d/%d done (%d failed, %d cancelled)", b.id(), status(b), b.model(),
        b.modelVersion(), b.completed() + b.failed() + b.cancelled(), b.total(), b.failed(), b.cancelled());
  }

  private static String status(Batch b) {
    return b.paused() ? b.status() + " (paused)" : b.status();
  }

  void printJson(JsonNode n) {
    try {
      out.println(JSON.writeValueAsString(n));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
