package dev.batchinfer.progress;

import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds hanging transactions on the system's partitions (open on a partition while their coordinator is done with
 * them, so no marker will ever come) and aborts the progress topology's, as {@code kafka-transactions.sh
 * find-hanging} and {@code abort} would by hand.
 *
 * <p>Why: a broker killed between a transaction's prepare-commit and its markers, restarted on its data, has been
 * seen (Kafka 4.4, one KRaft node) to record the commit complete without writing the markers. The partition's
 * last stable offset then stays at the transaction's start, and a pending offset commit on
 * {@code __consumer_offsets} keeps the topology's consumer answered {@code UNSTABLE_OFFSET_COMMIT} for ever.
 * Nothing is lost, but nothing moves. Which ones may be aborted is {@link HangingWatch}'s call; the others are
 * logged and counted in a gauge for an operator.
 */
final class HangingTransactions implements Runnable {

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(20);
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(60);
  private static final long TIMEOUT_SECONDS = 10;
  private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);

  private final Admin admin;
  private final Set<String> topics = new HashSet<>();
  private final HangingWatch watch;
  private final LongSupplier clock;
  private final Counter aborted;
  private final AtomicInteger leftHanging = new AtomicInteger();

  HangingTransactions(String bootstrapServers, Topics catalogue, String streamsApplicationId, Duration grace,
      LongSupplier clock, MeterRegistry meters) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, streamsApplicationId + "-hanging-transactions");
    this.admin = Admin.create(p);
    for (Topic<?, ?> t : catalogue.all()) {
      topics.add(t.name());
    }
    topics.add(streamsApplicationId + "-" + ProgressTopology.STORE + "-changelog");
    topics.add("__consumer_offsets");
    this.watch = new HangingWatch(streamsApplicationId + "-", grace);
    this.clock = clock;
    this.aborted = Counter.builder("batchinfer.progress.hanging.transactions.aborted")
        .description("Transactions found open on a partition after their coordinator finished them, aborted")
        .register(meters);
    Gauge.builder("batchinfer.progress.hanging.transactions", leftHanging, AtomicInteger::get)
        .description("Transactions hanging on a partition that may have committed (not the topology's): left to an operator")
        .register(meters);
  }

  @Override
  public void run() {
    try {
      sweep();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("hanging-transaction sweep failed, retrying on the next run: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One sweep; returns how many transactions it aborted. */
  int sweep() throws ExecutionException, InterruptedException, TimeoutException {
    List<OpenTransaction> open = openTransactions();
    Map<Long, String> ids = open.isEmpty() ? Map.of() : transactionalIds(open);
    HangingWatch.Verdict verdict = watch.judge(open, ids, describe(ids.values()), clock.getAsLong());
    for (OpenTransaction t : verdict.abort()) {
      abort(t, ids.get(t.producerId()));
    }
    leftHanging.set(verdict.report().size());
    for (OpenTransaction t : verdict.report()) {
      log.error("a transaction hangs on {} (producer {} epoch {}, transactional id {}, open since offset {}): its "
          + "coordinator is done with it but no marker came; it may have committed, so it is not aborted here. Check "
          + "it with kafka-transactions.sh find-hanging", t.partition(), t.producerId(), t.producerEpoch(),
          Objects.requireNonNullElse(ids.get(t.producerId()), "unknown"), t.startOffset());
    }
    return verdict.abort().size();
  }

  /** What the partitions hold open now. */
  List<OpenTransaction> openTransactions() throws ExecutionException, InterruptedException, TimeoutException {
    List<TopicPartition> partitions = new ArrayList<>();
    // Only those that exist: the changelog appears once the topology has run, the offsets topic once a group has.
    Set<String> present = new HashSet<>(admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    present.retainAll(topics);
    Map<String, TopicDescription> described = admin.describeTopics(present).allTopicNames()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    described.values().forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
    Map<TopicPartition, PartitionProducerState> states = admin.describeProducers(partitions).all()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<OpenTransaction> open = new ArrayList<>();
    states.forEach((tp, state) -> {
      for (ProducerState p : state.activeProducers()) {
        if (p.currentTransactionStartOffset().isPresent()) {
          open.add(new OpenTransaction(tp, p.producerId(), p.producerEpoch(), p.currentTransactionStartOffset().getAsLong(),
              p.coordinatorEpoch().orElse(0)));
        }
      }
    });
    return open;
  }

  private Map<Long, String> transactionalIds(List<OpenTransaction> open)
      throws ExecutionException, InterruptedException, TimeoutException {
    Set<Long> producerIds = new HashSet<>();
    open.forEach(t -> producerIds.add(t.producerId()));
    Map<Long, String> ids = new HashMap<>();
    for (TransactionListing l : admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
        .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      ids.put(l.producerId(), l.transactionalId());
    }
    return ids;
  }

  private Map<String, TransactionDescription> describe(java.util.Collection<String> ids)
      throws ExecutionException, InterruptedException, TimeoutException {
    return ids.isEmpty() ? Map.of() : admin.describeTransactions(Set.copyOf(ids)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private void abort(OpenTransaction t, String transactionalId)
      throws ExecutionException, InterruptedException, TimeoutException {
    admin.abortTransaction(new AbortTransactionSpec(t.partition(), t.producerId(), (short) t.producerEpoch(),
        t.coordinatorEpoch())).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    aborted.increment();
    log.warn("aborted a hanging transaction on {} (producer {} epoch {}, transactional id {}, open since offset {}):"
        + " its coordinator had finished it without a marker here", t.partition(), t.producerId(), t.producerEpoch(),
        transactionalId == null ? "unknown" : transactionalId, t.startOffset());
  }

  void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
