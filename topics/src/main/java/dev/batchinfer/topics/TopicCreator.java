package dev.batchinfer.topics;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the catalogue's topics explicitly; running it again changes nothing. */
public final class TopicCreator {

  private TopicCreator() {}

  /**
   * Creates every topic of {@code topics} that does not exist yet, and raises the retention of
   * those that do where it is shorter than the catalogue's (see {@link RetentionCheck}).
   *
   * @param replicationFactor 1 for a one-node cluster, 3 in production (with 2 in sync)
   */
  public static void ensure(Admin admin, Topics topics, short replicationFactor) {
    ensure(admin, topics, new Replication(replicationFactor, replicationFactor >= 3 ? 2 : 1));
  }

  /**
   * Creates every topic of {@code topics} that does not exist yet with that replication (and its
   * {@code min.insync.replicas}), and raises the retention of those that do where it is shorter
   * than the catalogue's. An existing topic's replication is left as it is.
   */
  public static void ensure(Admin admin, Topics topics, Replication replication) {
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing topics", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot list topics: " + e.getCause().getMessage(), e.getCause());
    }
    List<NewTopic> missing =
        topics.all().stream()
            .filter(t -> !existing.contains(t.name()))
            .map(t -> new NewTopic(t.name(), t.partitions(), replication.factor()).configs(withMinInSync(t, replication)))
            .toList();
    Set<String> alreadyThere = new HashSet<>(existing);
    if (!missing.isEmpty()) {
      admin.createTopics(missing).values().forEach((name, future) -> {
        if (!created(name, future)) {
          alreadyThere.add(name);
        }
      });
    }
    RetentionCheck.raiseWhereShort(admin, topics.all().stream().filter(t -> alreadyThere.contains(t.name())).toList());
  }

  private static java.util.Map<String, String> withMinInSync(Topic<?, ?> topic, Replication replication) {
    java.util.Map<String, String> configs = new java.util.HashMap<>(topic.configs());
    configs.put(org.apache.kafka.common.config.TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.minInSync()));
    return configs;
  }

  /** False if the topic existed already: another instance made it after our list, or the list was not up to date yet. */
  private static boolean created(String name, org.apache.kafka.common.KafkaFuture<Void> future) {
    try {
      future.get();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
      }
      return false;
    }
  }
}
