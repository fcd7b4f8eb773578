package dev.batchinfer.topics;

import java.util.Optional;

/**
 * How many copies of each topic the cluster keeps, and how many must have a write before it is
 * acknowledged ({@code min.insync.replicas}): with {@code acks=all} that is what makes an accepted
 * batch survive the loss of a broker. Defaults follow the cluster: 3 and 2 from three brokers up, 1
 * and 1 on fewer.
 *
 * @param factor copies of each partition
 * @param minInSync copies that must have a write before the producer is told it is stored
 */
public record Replication(short factor, int minInSync) {

  public Replication {
    if (factor < 1 || minInSync < 1 || minInSync > factor) {
      throw new IllegalArgumentException("replication " + factor + " with " + minInSync + " in sync is not possible: "
          + "min.insync.replicas must be from 1 to the replication factor");
    }
  }

  /** The one-node cluster of the standalone mode and the tests. */
  public static final Replication SINGLE = new Replication((short) 1, 1);

  /**
   * What a cluster of {@code brokers} can keep: the given values, or the defaults for its size.
   *
   * @throws IllegalArgumentException naming the settings when they ask for more copies than brokers
   */
  public static Replication forCluster(int brokers, Optional<Integer> factor, Optional<Integer> minInSync) {
    int f = factor.orElse(brokers >= 3 ? 3 : 1);
    int m = minInSync.orElse(f >= 3 ? 2 : 1);
    if (f > brokers) {
      throw new IllegalArgumentException("TOPIC_REPLICATION_FACTOR=" + f + " needs at least " + f + " brokers; the cluster at "
          + "KAFKA_BOOTSTRAP_SERVERS has " + brokers + ". Set it to " + Math.min(brokers, 3) + " or fewer, or add brokers");
    }
    if (m > f || m < 1) {
      throw new IllegalArgumentException("TOPIC_MIN_INSYNC_REPLICAS=" + m + " must be from 1 to TOPIC_REPLICATION_FACTOR ("
          + f + "); " + (f >= 3 ? "2" : "1") + " is the usual choice");
    }
    return new Replication((short) f, m);
  }
}
