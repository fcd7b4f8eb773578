package dev.batchinfer.progress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.TransactionDescription;

/**
 * Which open transactions have hung: not running at their coordinator, and seen so on sweeps at least
 * {@code grace} apart (so a transaction whose markers are being written as the sweep reads is never taken for a
 * hanging one). Only the progress topology's may be aborted: its transactions are replayed from their input, and
 * every chunk it counts is deduplicated. Anyone else's (an API submit's above all) may have been committed,
 * its 202 sent, and aborting it would drop accepted chunks: those are only reported, for an operator.
 */
final class HangingWatch {

  /** What one sweep found hanging: to abort now, and to leave to an operator. */
  record Verdict(List<OpenTransaction> abort, List<OpenTransaction> report) {}

  private final String abortablePrefix;
  private final Duration grace;
  private final Map<String, Long> firstSeen = new HashMap<>();

  /** @param abortablePrefix how the transactional ids of the transactions it may abort begin */
  HangingWatch(String abortablePrefix, Duration grace) {
    this.abortablePrefix = abortablePrefix;
    this.grace = grace;
  }

  /**
   * Judges what the partitions hold open, given the transactional id of each producer (where its coordinator
   * knows one) and the coordinators' descriptions of those ids.
   */
  Verdict judge(List<OpenTransaction> open, Map<Long, String> transactionalIds,
      Map<String, TransactionDescription> coordinators, long nowMs) {
    Map<String, Long> stillHanging = new HashMap<>();
    List<OpenTransaction> abort = new ArrayList<>();
    List<OpenTransaction> report = new ArrayList<>();
    for (OpenTransaction t : open) {
      String id = transactionalIds.get(t.producerId());
      if (t.runningAt(Optional.ofNullable(id).map(coordinators::get))) {
        continue;
      }
      long since = firstSeen.getOrDefault(t.sighting(), nowMs);
      boolean mayAbort = id != null && id.startsWith(abortablePrefix);
      if (nowMs - since < grace.toMillis()) {
        stillHanging.put(t.sighting(), since);
      } else if (mayAbort) {
        abort.add(t);
      } else {
        report.add(t);
        stillHanging.put(t.sighting(), since);
      }
    }
    firstSeen.clear();
    firstSeen.putAll(stillHanging);
    return new Verdict(abort, report);
  }
}
