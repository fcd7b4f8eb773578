package dev.batchinfer.api.lifecycle;

import dev.batchinfer.store.batch.SkipFlags;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a batch's waiting chunks to the request topic of its new priority, ahead of whatever waits on the old
 * one: it reads the old topic from where the workers' group has committed to its end, and copies each record of
 * the batch (key {@code batchId:chunk}) to the new topic. A chunk is listed as moved only once its copy is
 * acknowledged; workers then drop the original when they reach it. A chunk the mover misses (read by a worker
 * meanwhile, or past the time budget) simply runs where it is, and one copied and run twice is counted once:
 * nothing is lost by a move cut short.
 */
final class ChunkMover {

  private static final Logger log = LoggerFactory.getLogger(ChunkMover.class);

  /** Makes a consumer of raw records that commits nothing, joins no group and reads committed records only. */
  interface Consumers {
    Consumer<String, byte[]> create();
  }

  private final Admin admin;
  private final Consumers consumers;
  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final String workerGroup;
  private final SkipFlags flags;
  private final Duration budget;

  ChunkMover(Admin admin, Consumers consumers, Producer<String, byte[]> producer, Topics topics, String workerGroup,
      SkipFlags flags, Duration budget) {
    this.admin = admin;
    this.consumers = consumers;
    this.producer = producer;
    this.topics = topics;
    this.workerGroup = workerGroup;
    this.flags = flags;
    this.budget = budget;
  }

  /** Copies the batch's waiting chunks from {@code from}'s topic to {@code to}'s; how many it moved. */
  int move(String batchId, Priority from, Priority to) throws Exception {
    long deadline = System.nanoTime() + budget.toNanos();
    String source = topics.requests(from).name();
    Map<TopicPartition, Long> start = new HashMap<>();
    Map<TopicPartition, Long> end = new HashMap<>();
    positions(source, start, end);
    String prefix = batchId + ":";
    List<Integer> moved = new ArrayList<>();
    try (Consumer<String, byte[]> consumer = consumers.create()) {
      consumer.assign(start.keySet());
      start.forEach(consumer::seek);
      Map<TopicPartition, Long> left = new HashMap<>(end);
      left.entrySet().removeIf(e -> start.get(e.getKey()) >= e.getValue());
      List<CompletableFuture<Integer>> copies = new ArrayList<>();
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.key() != null && r.key().startsWith(prefix) && r.offset() < end.getOrDefault(tp, 0L)) {
            copies.add(copy(r, topics.requests(to).name(), Integer.parseInt(r.key().substring(prefix.length()))));
          }
        }
        // By position, not by the last record: a transaction's commit marker takes an offset too.
        left.keySet().removeIf(tp -> consumer.position(tp) >= left.get(tp));
      }
      for (CompletableFuture<Integer> c : copies) {
        try {
          moved.add(c.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
          log.warn("batch {}: a chunk was not copied to the {} queue; it runs where it is: {}", batchId, to.wire(), e.toString());
        }
      }
      if (!left.isEmpty()) {
        log.warn("batch {}: moved {} chunks within {}; the rest run at {} priority", batchId, moved.size(), budget, from.wire());
      }
    }
    flags.markMoved(batchId, moved);
    log.info("batch {}: {} waiting chunks moved from the {} to the {} queue", batchId, moved.size(), from.wire(), to.wire());
    return moved.size();
  }

  /** Where the workers' group stands on each partition of the topic (the start if it committed nothing), and the end. */
  private void positions(String topic, Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) throws Exception {
    var description = admin.describeTopics(List.of(topic)).allTopicNames().get(budget.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    description.get(topic).partitions().forEach(p -> {
      earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
      latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    });
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(workerGroup)
        .partitionsToOffsetAndMetadata().get(budget.toMillis(), TimeUnit.MILLISECONDS);
    var first = admin.listOffsets(earliest).all().get(budget.toMillis(), TimeUnit.MILLISECONDS);
    // The last committed offset: a submit still in its transaction is not the mover's to copy.
    var last = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(budget.toMillis(), TimeUnit.MILLISECONDS);
    for (TopicPartition tp : earliest.keySet()) {
      OffsetAndMetadata c = committed.get(tp);
      start.put(tp, Math.max(first.get(tp).offset(), c == null ? 0 : c.offset()));
      end.put(tp, last.get(tp).offset());
    }
  }

  private CompletableFuture<Integer> copy(ConsumerRecord<String, byte[]> r, String topic, int chunkIndex) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    producer.send(new ProducerRecord<>(topic, null, r.key(), r.value(), r.headers()), (meta, e) -> {
      if (e == null) {
        done.complete(chunkIndex);
      } else {
        done.completeExceptionally(e);
      }
    });
    return done;
  }
}
