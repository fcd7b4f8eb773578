package dev.batchinfer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** A command on one batch, named by its id: status, results, events, cancel, retry, pause, resume. */
abstract class OnBatch implements Callable<Integer> {

  @ParentCommand
  BatchCli root;

  @Parameters(index = "0", description = "The batch id")
  String id;
}
