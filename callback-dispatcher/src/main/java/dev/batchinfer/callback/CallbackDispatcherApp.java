package dev.batchinfer.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.callback.consume.EventConsumer;
import dev.batchinfer.callback.deliver.Deliverer;
import dev.batchinfer.callback.deliver.DeliveryMetrics;
import dev.batchinfer.callback.deliver.HttpPoster;
import dev.batchinfer.callback.deliver.WebhookBody;
import dev.batchinfer.callback.schedule.DeliveryScheduler;
import dev.batchinfer.observability.Metrics;
import dev.batchinfer.observability.Readiness;
import dev.batchinfer.store.Redis;
import dev.batchinfer.store.batch.BatchRecords;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.store.webhook.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dispatcher: batch events become deliveries scheduled in Redis (consumer thread); due
 * deliveries are attempted, signed, on a bounded pool (scheduler thread).
 */
public final class CallbackDispatcherApp implements AutoCloseable {

  private final Redis redis;
  private final KafkaProducer<byte[], byte[]> producer;
  private final EventConsumer consumer;
  private final DeliveryScheduler scheduler;
  private Thread consumerThread;
  private Thread schedulerThread;

  private CallbackDispatcherApp(Redis redis, KafkaProducer<byte[], byte[]> producer,
      EventConsumer consumer, DeliveryScheduler scheduler) {
    this.redis = redis;
    this.producer = producer;
    this.consumer = consumer;
    this.scheduler = scheduler;
  }

  public static CallbackDispatcherApp create(DispatcherSettings s, Metrics metrics) {
    Redis redis = Redis.connect(s.common().redisUrl(), s.common().redisKeyPrefix(), "dispatcher");
    BatchRecords batches = BatchStores.over(redis).records();
    WebhookStore webhooks = new WebhookStore(redis);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.common().kafkaBootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, s.common().topicPrefix() + s.groupId());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Events come from an exactly-once topology: read only what it committed.
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.common().kafkaBootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    KafkaConsumer<byte[], byte[]> kafkaConsumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    metrics.bind(kafkaConsumer);
    metrics.bind(producer);
    EventConsumer consumer = new EventConsumer(kafkaConsumer,
        s.common().topics().batchEvents(), batches, webhooks, new WebhookBody(new ObjectMapper(), s.publicBaseUrl()),
        s.policy());
    Deliverer deliverer = new Deliverer(webhooks, s.policy(), new HttpPoster(s.connectTimeout(), s.totalTimeout()),
        s.signers(), s.schedule(), producer, s.common().topics().webhooksDeadLetter(), Clock.systemUTC(),
        new DeliveryMetrics(metrics.registry(), webhooks, Clock.systemUTC()));
    DeliveryScheduler scheduler = new DeliveryScheduler(webhooks, deliverer, s.concurrency(), s.totalTimeout());
    return new CallbackDispatcherApp(redis, producer, consumer, scheduler);
  }

  public CallbackDispatcherApp start() {
    consumerThread = new Thread(consumer, "callback-events");
    schedulerThread = new Thread(scheduler, "webhook-scheduler");
    consumerThread.start();
    schedulerThread.start();
    return this;
  }

  /**
   * Ready while its event consumer is a member of the group and its scheduler runs: it then turns
   * events into deliveries and attempts the due ones.
   */
  public Readiness readiness() {
    if (!consumer.member()) {
      return Readiness.notReady("event consumer not a member of its group");
    }
    if (schedulerThread == null || !schedulerThread.isAlive()) {
      return Readiness.notReady("delivery scheduler not running");
    }
    return Readiness.ready("consuming batch events, scheduler running");
  }

  /** Stops taking events and claims; attempts under way get a few seconds to finish. */
  @Override
  public void close() {
    consumer.stop();
    scheduler.drain(Duration.ofSeconds(5));
    join(consumerThread);
    join(schedulerThread);
    producer.close(Duration.ofSeconds(5));
    redis.close();
  }

  private static void join(Thread t) {
    if (t == null) {
      return;
    }
    try {
      t.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
