package dev.batchinfer.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.callback.consume.EventConsumer;
import dev.batchinfer.callback.deliver.WebhookBody;
import dev.batchinfer.callback.deliver.WebhookSender;
import dev.batchinfer.store.batch.BatchStore;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The dispatcher: batch events in, webhooks out. */
public final class CallbackDispatcherApp implements AutoCloseable {

  private final BatchStore store;
  private final EventConsumer consumer;
  private Thread thread;

  private CallbackDispatcherApp(BatchStore store, EventConsumer consumer) {
    this.store = store;
    this.consumer = consumer;
  }

  public static CallbackDispatcherApp create(DispatcherSettings s) {
    BatchStore store = BatchStore.connect(s.common().redisUrl(), s.common().redisKeyPrefix());
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.common().kafkaBootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, s.common().topicPrefix() + s.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Events come from an exactly-once topology: read only what it committed.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    EventConsumer consumer = new EventConsumer(
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        s.common().topics().batchEvents(), store, new WebhookBody(new ObjectMapper(), s.publicBaseUrl()),
        new WebhookSender(s.timeout()), s.attempts());
    return new CallbackDispatcherApp(store, consumer);
  }

  public CallbackDispatcherApp start() {
    thread = new Thread(consumer, "callback-dispatcher");
    thread.start();
    return this;
  }

  @Override
  public void close() {
    consumer.stop();
    if (thread != null) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    store.close();
  }
}
