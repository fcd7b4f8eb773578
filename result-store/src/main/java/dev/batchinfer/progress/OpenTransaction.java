package dev.batchinfer.progress;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;

/**
 * A transaction a partition holds open (its producer state has a start offset and no marker yet), and whether
 * its coordinator still runs it.
 *
 * @param coordinatorEpoch of the last marker this producer wrote on the partition (what an abort must match)
 */
record OpenTransaction(TopicPartition partition, long producerId, int producerEpoch, long startOffset,
    int coordinatorEpoch) {

  private static final Set<TransactionState> RUNNING = EnumSet.of(TransactionState.ONGOING,
      TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);

  /**
   * Whether the coordinator still has this transaction in hand on this partition: running, with the partition
   * in it, at the producer's epoch or the next (a version-2 transaction bumps the epoch when it ends, and its
   * markers carry the bumped one). Otherwise the coordinator is done with it (or has never heard of it), no
   * marker will come, and read_committed readers of the partition wait at its start offset for ever.
   */
  boolean runningAt(Optional<TransactionDescription> coordinator) {
    if (coordinator.isEmpty()) {
      return false;
    }
    TransactionDescription d = coordinator.get();
    return d.producerId() == producerId && RUNNING.contains(d.state()) && d.topicPartitions().contains(partition)
        && (d.producerEpoch() == producerEpoch || d.producerEpoch() == producerEpoch + 1);
  }

  /** The same open transaction seen again: same partition, producer and start offset. */
  String sighting() {
    return partition + "/" + producerId + "/" + startOffset;
  }
}
