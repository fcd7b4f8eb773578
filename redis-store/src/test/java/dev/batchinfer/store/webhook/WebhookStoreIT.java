package dev.batchinfer.store.webhook;

import dev.batchinfer.store.Redis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recording a delivery against a real Redis: whole or not at all, and repeatable. */
class WebhookStoreIT {
  private Redis storeRedis;

  private final String prefix = TestInfra.unique("webhooks") + ":";
  private WebhookStore store;
  private RedisClient client;
  private StatefulRedisConnection<String, String> redis;

  @BeforeEach
  void start() {
    storeRedis = Redis.connect(TestInfra.redisUrl(), prefix);
    store = new WebhookStore(storeRedis);
    client = RedisClient.create(TestInfra.redisUrl());
    redis = client.connect();
  }

  @AfterEach
  void stop() {
    storeRedis.close();
    redis.close();
    client.shutdown();
  }

  @Test
  void an_event_handled_again_after_a_half_written_record_is_still_scheduled() {
    String batch = UUID.randomUUID().toString();
    // What the earlier two-step write left when its dispatcher died between the steps, or when the first
    // step's reply was lost to a timeout and the event was handled again: an event id and nothing else.
    redis.sync().hset(store.deliveryKey(batch, "batch.completed"), "event_id", "e1");

    store.enqueue("e1", "t", batch, "batch.completed", "http://127.0.0.1:9/hook", "{}", 1_000);

    assertThat(store.find(batch, "batch.completed")).hasValueSatisfying(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING));
    assertThat(store.claimDue(1_000, 10, 60_000)).extracting(m -> m[0]).containsExactly(batch);
  }

  @Test
  void recording_twice_changes_nothing_and_schedules_once() {
    String batch = UUID.randomUUID().toString();
    store.enqueue("e1", "t", batch, "batch.completed", "http://127.0.0.1:9/hook", "{\"n\":1}", 1_000);
    store.enqueue("e2", "t", batch, "batch.completed", "http://127.0.0.1:9/other", "{\"n\":2}", 500);

    Delivery d = store.find(batch, "batch.completed").orElseThrow();
    assertThat(d.url()).isEqualTo("http://127.0.0.1:9/hook");
    assertThat(store.claimDue(2_000, 10, 60_000)).hasSize(1);
    assertThat(store.deliveries(batch)).hasSize(1);
  }
}
