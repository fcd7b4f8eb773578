package dev.batchinfer.callback.consume;

import dev.batchinfer.callback.deliver.Attempt;
import dev.batchinfer.callback.deliver.Webhook;
import dev.batchinfer.callback.deliver.WebhookBody;
import dev.batchinfer.callback.deliver.WebhookSender;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStore;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.serde.UndecodableRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads batch events and delivers each to its batch's callback URL. The offset is committed after
 * the event's attempts, so a dispatcher that dies mid-delivery delivers again (same webhook-id).
 *
 * <p>Attempts here are few and in line; the retry schedule, dead letters and signing of the
 * webhooks issue replace {@link #deliver}.
 */
public final class EventConsumer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topic<String, BatchEvent> topic;
  private final BatchStore store;
  private final WebhookBody bodies;
  private final WebhookSender sender;
  private final int attempts;
  private volatile boolean running = true;

  public EventConsumer(KafkaConsumer<byte[], byte[]> consumer, Topic<String, BatchEvent> topic, BatchStore store,
      WebhookBody bodies, WebhookSender sender, int attempts) {
    this.consumer = consumer;
    this.topic = topic;
    this.store = store;
    this.bodies = bodies;
    this.sender = sender;
    this.attempts = attempts;
  }

  public void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(topic.name()));
    try {
      while (running) {
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          handle(record);
        }
        if (!records.isEmpty()) {
          consumer.commitSync();
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    BatchEvent event;
    try {
      event = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
    } catch (UndecodableRecordException e) {
      log.warn("{}-{}@{}: not a batch event, skipped: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      return;
    }
    Optional<BatchRecord> batch = store.find(event.batchId());
    if (batch.isEmpty()) {
      log.warn("batch {}: event {} for a batch that no longer exists; skipped", event.batchId(), event.type());
      return;
    }
    String url = batch.get().callbackUrl();
    if (url == null) {
      return;
    }
    deliver(new Webhook(event.eventId(), url, event.occurredAtMs() / 1000, bodies.render(event, batch.get())));
  }

  private void deliver(Webhook hook) {
    long backoffMs = 500;
    for (int i = 1; i <= attempts && running; i++) {
      Attempt a = sender.send(hook);
      if (a.delivered()) {
        log.info("webhook {} delivered to {} ({} in {} ms)", hook.id(), hook.url(), a.status(), a.took().toMillis());
        return;
      }
      log.warn("webhook {} attempt {}/{} to {} failed: {}", hook.id(), i, attempts, hook.url(),
          a.error() != null ? a.error() : "HTTP " + a.status());
      if (i < attempts) {
        try {
          Thread.sleep(backoffMs); // in line by design until the retry schedule lands
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs *= 4;
      }
    }
    log.error("webhook {} to {} given up after {} attempts", hook.id(), hook.url(), attempts);
  }
}
