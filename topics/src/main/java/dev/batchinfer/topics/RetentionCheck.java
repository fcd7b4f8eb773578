package dev.batchinfer.topics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating a topic sets its configs once; a topic made by an older catalogue keeps what it got (a
 * request topic from the days of 7 d retention would delete a backlog a 30 d completion window still
 * waits for). So each catalogue retention is a floor, checked on existing topics at every start and
 * raised where a topic is shorter; longer, or -1 (keep forever), is the operator's choice and kept.
 * A catalogue that keeps a topic without a size limit (retention.bytes=-1: the request topics, whose
 * records are accepted work) has that restored where a size limit was set.
 */
final class RetentionCheck {

  private static final Logger log = LoggerFactory.getLogger(RetentionCheck.class);
  private static final long DAY_MS = 86_400_000L;

  private RetentionCheck() {}

  /** Why a topic keeping records {@code actualMs} falls short of the catalogue's, or empty if it does not. */
  static Optional<String> shortfall(Topic<?, ?> topic, long actualMs) {
    String wanted = topic.configs().get(TopicConfig.RETENTION_MS_CONFIG);
    if (wanted == null || actualMs < 0 || actualMs >= Long.parseLong(wanted)) {
      return Optional.empty();
    }
    return Optional.of("topic " + topic.name() + " keeps records " + days(actualMs) + " (retention.ms=" + actualMs
        + "), less than the catalogue's " + days(Long.parseLong(wanted)) + " (retention.ms=" + wanted + ")");
  }

  /** Why a topic the catalogue keeps without a size limit deletes past {@code actualBytes}, or empty if it does not. */
  static Optional<String> sizeLimit(Topic<?, ?> topic, long actualBytes) {
    if (!"-1".equals(topic.configs().get(TopicConfig.RETENTION_BYTES_CONFIG)) || actualBytes < 0) {
      return Optional.empty();
    }
    return Optional.of("topic " + topic.name() + " deletes records past " + actualBytes + " bytes a partition (retention.bytes="
        + actualBytes + "), a backlog of accepted work with them; the catalogue sets no size limit (retention.bytes=-1)");
  }

  /** Raises the retention of each of {@code existing} that falls short; fails, saying how to fix it by hand, if it cannot. */
  static void raiseWhereShort(Admin admin, Collection<Topic<?, ?>> existing) {
    Map<ConfigResource, Topic<?, ?>> byResource = existing.stream()
        .filter(t -> t.configs().containsKey(TopicConfig.RETENTION_MS_CONFIG)
            || t.configs().containsKey(TopicConfig.RETENTION_BYTES_CONFIG))
        .collect(Collectors.toMap(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name()), t -> t));
    if (byResource.isEmpty()) {
      return;
    }
    Map<ConfigResource, Config> configs = describe(admin, byResource.keySet());
    byResource.forEach((resource, topic) -> {
      ConfigEntry ms = configs.get(resource).get(TopicConfig.RETENTION_MS_CONFIG);
      shortfall(topic, Long.parseLong(ms.value()))
          .ifPresent(why -> raise(admin, resource, topic, TopicConfig.RETENTION_MS_CONFIG, why));
      ConfigEntry bytes = configs.get(resource).get(TopicConfig.RETENTION_BYTES_CONFIG);
      sizeLimit(topic, Long.parseLong(bytes.value()))
          .ifPresent(why -> raise(admin, resource, topic, TopicConfig.RETENTION_BYTES_CONFIG, why));
    });
  }

  private static void raise(Admin admin, ConfigResource resource, Topic<?, ?> topic, String config, String why) {
    String wanted = topic.configs().get(config);
    AlterConfigOp set = new AlterConfigOp(new ConfigEntry(config, wanted), AlterConfigOp.OpType.SET);
    try {
      await(admin.incrementalAlterConfigs(Map.of(resource, List.of(set))).all(), "raise it");
    } catch (IllegalStateException e) {
      throw new IllegalStateException(why + "; " + e.getMessage() + ". Raise it by hand: kafka-configs.sh --bootstrap-server"
          + " <broker> --alter --entity-type topics --entity-name " + topic.name() + " --add-config " + config + "=" + wanted, e);
    }
    log.warn("{}: set to {}={}", why, config, wanted);
  }

  private static String days(long ms) {
    return ms % DAY_MS == 0 ? ms / DAY_MS + "d" : ms + " ms";
  }

  /**
   * The topics' configs. A topic created a moment ago may not be known yet to the broker that answers
   * (its metadata is still spreading), so that answer is asked again for a while before it counts.
   */
  private static Map<ConfigResource, Config> describe(Admin admin, Collection<ConfigResource> topics) {
    long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
    while (true) {
      try {
        return await(admin.describeConfigs(topics).all(), "read the topics' retention");
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(100); // back-off between asks, bounded by METADATA_WAIT
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static final java.time.Duration METADATA_WAIT = java.time.Duration.ofSeconds(30);

  private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    }
  }
}
