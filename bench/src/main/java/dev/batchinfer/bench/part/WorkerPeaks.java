package dev.batchinfer.bench.part;

import dev.batchinfer.embedded.proc.ChildJvm;
import java.util.LinkedHashMap;
import java.util.Map;

/** The worker's peak RSS part by part: which part sets the whole run's peak. */
public final class WorkerPeaks {

  private final ChildJvm worker;
  private final Map<String, Long> byPart = new LinkedHashMap<>();

  public WorkerPeaks(ChildJvm worker) {
    this.worker = worker;
  }

  public ChildJvm worker() {
    return worker;
  }

  /** Records the worker's peak RSS over the part just run and starts a new peak for the next. */
  public void note(String part) {
    byPart.put(part, Figures.mb(worker.peakRssBytes()));
    worker.resetPeakRss();
  }

  /** The peak of each part noted so far, in MB, in the order they ran. */
  public Map<String, Long> byPart() {
    return new LinkedHashMap<>(byPart);
  }
}
