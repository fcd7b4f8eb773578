package dev.batchinfer.callback.consume;

import dev.batchinfer.observability.Tracing;
import dev.batchinfer.observability.LogContext;
import dev.batchinfer.observability.KafkaContext;
import dev.batchinfer.callback.deliver.WebhookBody;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchRecords;
import dev.batchinfer.store.webhook.WebhookStore;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.config.callback.RejectedCallbackException;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.serde.UndecodableRecordException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns batch events into scheduled deliveries in Redis, then commits the event's offset: from
 * there on the delivery survives any restart. Sending is the scheduler's job, so a slow or dead
 * receiver never holds this loop up.
 */
public final class EventConsumer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private final Consumer<byte[], byte[]> consumer;
  private final Topic<String, BatchEvent> topic;
  private final BatchRecords batches;
  private final WebhookStore webhooks;
  private final WebhookBody bodies;
  private final CallbackPolicy policy;
  private final PartitionBackoff backoff = new PartitionBackoff(BACKOFF);
  private volatile boolean running = true;
  /** Set after every rebalance (even one that brought no partitions), cleared when they are lost or it stops. */
  private volatile boolean member;

  public EventConsumer(Consumer<byte[], byte[]> consumer, Topic<String, BatchEvent> topic, BatchRecords batches,
      WebhookStore webhooks, WebhookBody bodies, CallbackPolicy policy) {
    this.consumer = consumer;
    this.topic = topic;
    this.batches = batches;
    this.webhooks = webhooks;
    this.bodies = bodies;
    this.policy = policy;
  }

  /** Whether this consumer is a member of its group now (it may hold no partition: more dispatchers than partitions). */
  public boolean member() {
    return member;
  }

  public void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(topic.name()), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        // still a member: a rebalance follows, and its assignment is announced below
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        member = true;
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> lost) {
        member = false;
      }
    });
    try {
      while (running) {
        backoff.resumeDue(consumer);
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
          long next = handleInOrder(tp, records.records(tp));
          if (next >= 0) {
            handled.put(tp, new OffsetAndMetadata(next));
          }
        }
        if (!handled.isEmpty()) {
          commit(handled);
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      member = false;
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * A commit refused because the group moved partitions meanwhile (a rebalance, this member evicted after a long
   * pause) or not answered in time leaves those records to be handled again, by this instance or the new owner:
   * enqueueing a webhook is idempotent by event id. The consumer goes on either way; a thread that died here would
   * leave a dispatcher that looks alive and handles nothing.
   */
  private void commit(Map<TopicPartition, OffsetAndMetadata> handled) {
    try {
      consumer.commitSync(handled);
    } catch (org.apache.kafka.clients.consumer.CommitFailedException
        | org.apache.kafka.common.errors.RebalanceInProgressException
        | org.apache.kafka.common.errors.RetriableException e) {
      log.warn("offsets {} not committed, their events will be handled again: {}", handled, e.toString());
    }
  }

  /**
   * Handles one partition's records in order until one fails (Redis down, say): that partition is
   * rewound to it and paused for a while, so nothing after it is passed over; the other partitions'
   * records of this poll are still handled.
   *
   * @return the offset to commit, just past the last record handled, or -1 if none was
   */
  private long handleInOrder(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
    long next = -1;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      try {
        handle(record);
      } catch (RuntimeException e) {
        log.warn("{}-{}@{}: cannot schedule its webhook yet, retried in {} ms: {}", record.topic(), record.partition(),
            record.offset(), BACKOFF.toMillis(), e.toString());
        consumer.seek(tp, record.offset());
        backoff.pause(consumer, tp);
        break;
      }
      next = record.offset() + 1;
    }
    return next;
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    String key = record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
    try (LogContext.Scope logs = KafkaContext.logs(key, record.headers())) {
      schedule(record);
    }
  }

  private void schedule(ConsumerRecord<byte[], byte[]> record) {
    BatchEvent event;
    try {
      event = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
    } catch (UndecodableRecordException e) {
      log.warn("{}-{}@{}: not a batch event, skipped: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      return;
    }
    Optional<BatchRecord> found = batches.find(event.batchId());
    if (found.isEmpty()) {
      log.warn("batch {}: event {} for a batch that no longer exists; no webhook", event.batchId(), event.type());
      return;
    }
    BatchRecord batch = found.get();
    if (batch.callbackUrl() == null || !batch.callbackEvents().contains(event.type())) {
      return;
    }
    String body = bodies.render(event, batch);
    try {
      policy.checkUrl(batch.callbackUrl());
    } catch (RejectedCallbackException e) {
      // Accepted under an older policy, refused under this one: record why, send nothing.
      webhooks.recordRefused(event.eventId(), event.batchId(), event.type(), batch.callbackUrl(), body,
          "callback_url " + e.getMessage());
      return;
    }
    webhooks.enqueue(event.eventId(), batch.tenant(), event.batchId(), event.type(), batch.callbackUrl(), body,
        System.currentTimeMillis(), KafkaContext.requestId(record.headers()),
        Tracing.traceparent(KafkaContext.trace(record.headers())));
  }
}
