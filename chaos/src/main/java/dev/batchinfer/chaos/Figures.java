package dev.batchinfer.chaos;

import java.util.List;

/**
 * What the checker counted, for one scenario or a whole run. Passing means: lost 0, duplicated 0, foreign 0,
 * wrong counts 0, ghosts 0, webhooks acknowledged = batches, bad signatures 0, unexpected answers none.
 */
public record Figures(String scenario, int batches, long itemsSubmitted, long itemsWithOneResult, long lost,
    long duplicated, long foreign, int wrongCounts, int wrongStatus, int webhooksAcknowledged, int badSignatures,
    int ghosts, List<String> unexpectedAnswers, List<String> problems) {

  public boolean passed() {
    return lost == 0 && duplicated == 0 && foreign == 0 && wrongCounts == 0 && wrongStatus == 0
        && webhooksAcknowledged == batches && badSignatures == 0 && ghosts == 0 && unexpectedAnswers.isEmpty()
        && itemsWithOneResult == itemsSubmitted;
  }

  /** One line, as each chaos test prints it. */
  @Override
  public String toString() {
    return String.format("[chaos] %s: batches %d, items submitted %d / with one result %d / lost %d / duplicated %d"
        + " / foreign %d; wrong counts %d, wrong status %d; webhooks acknowledged %d / expected %d, bad signatures %d;"
        + " ghost batches %d; unexpected answers %d%s", scenario, batches, itemsSubmitted, itemsWithOneResult, lost,
        duplicated, foreign, wrongCounts, wrongStatus, webhooksAcknowledged, batches, badSignatures, ghosts,
        unexpectedAnswers.size(), problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems.subList(0,
            Math.min(5, problems.size()))));
  }
}
