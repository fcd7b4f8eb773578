package dev.batchinfer.cli;

import dev.batchinfer.client.Capacity;
import dev.batchinfer.client.PauseAnswer;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Steering running work: pause and resume a batch, and what the queues and the tenant's quota allow now. */
final class SteeringCommands {

  private static final Set<String> PRIORITIES = Set.of("low", "normal", "high");

  private SteeringCommands() {}

  @Command(name = "pause", description = "Pause a batch: workers stop starting its chunks within about a second; "
      + "other batches go on, and so does its completion window.")
  static final class Pause extends OnBatch {
    @Override
    public Integer call() throws Exception {
      root.print(root.client().pause(id));
      return BatchCli.OK;
    }
  }

  @Command(name = "resume", description = "Resume a paused batch: the chunks set aside go back on the queue.")
  static final class Resume extends OnBatch {
    @Override
    public Integer call() throws Exception {
      root.print(root.client().resume(id));
      return BatchCli.OK;
    }
  }

  /** The line a pause or a resume prints. */
  static String line(PauseAnswer a) {
    if (a.paused()) {
      return "paused " + a.batchId();
    }
    return "resumed " + a.batchId() + " (" + a.releasedChunks() + (a.releasedChunks() == 1 ? " chunk" : " chunks")
        + " back on the queue)";
  }

  @Command(name = "capacity", description = "The work queued per priority, each model version's throughput, the "
      + "estimated wait of a new batch and your quota.")
  static final class CapacityCommand implements Callable<Integer> {
    @ParentCommand
    BatchCli root;

    @Option(names = "--model", description = "Estimate the wait for this model only (default: each model)")
    String model;

    @Option(names = "--priority", description = "low, normal or high (default: normal)")
    String priority;

    @Option(names = "--items", description = "The new batch's items (default: 1000)")
    Long items;

    @Override
    public Integer call() throws Exception {
      if (priority != null && !PRIORITIES.contains(priority)) {
        throw new IllegalArgumentException("--priority must be low, normal or high, got " + priority);
      }
      if (items != null && items < 1) {
        throw new IllegalArgumentException("--items must be at least 1, got " + items);
      }
      Capacity c = root.client().capacity(model, priority, items);
      if (root.json) {
        root.printJson(c.raw());
      } else {
        root.out.print(CapacityTable.format(c));
      }
      return BatchCli.OK;
    }
  }
}
