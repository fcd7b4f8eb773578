package dev.batchinfer.api.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.problem.RetriableApiException;
import dev.batchinfer.store.batch.BatchControl;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.message.Priority;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code PATCH /v1/batch/{id}} with {@code {"priority": "high"}}: the batch's remaining work moves to that
 * priority. Its record and queue place change at once (chunks set aside while paused go back at the new
 * priority), and its chunks still waiting on the old priority's topic are copied ahead of that topic's backlog
 * ({@link ChunkMover}) before the answer, within a time budget. Chunks of an upload still arriving keep the
 * priority it started with.
 */
public final class PriorityHandler implements AutoCloseable {

  /** How long a priority change may spend copying waiting chunks before it answers; the rest stay where they are. */
  static final Duration MOVE_BUDGET = Duration.ofSeconds(30);

  private final BatchStores store;
  private final BatchControl control;
  private final ChunkMover mover;
  private final ObjectMapper json;
  private final Duration timeout;
  private final AutoCloseable admin;

  /** Over its own Kafka admin client and a consumer per move; {@code workerGroup} the workers' consumer group. */
  public static PriorityHandler create(BatchStores store, BatchControl control, String bootstrapServers,
      dev.batchinfer.topics.Topics topics, String workerGroup, org.apache.kafka.clients.producer.Producer<String, byte[]> producer,
      ObjectMapper json, Duration timeout) {
    org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    ChunkMover.Consumers consumers = () -> new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
        org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "chunk-mover"),
        new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    ChunkMover mover = new ChunkMover(admin, consumers, producer, topics, workerGroup, store.flags(), MOVE_BUDGET);
    return new PriorityHandler(store, control, mover, json, timeout, admin);
  }

  PriorityHandler(BatchStores store, BatchControl control, ChunkMover mover, ObjectMapper json, Duration timeout,
      AutoCloseable admin) {
    this.admin = admin;
    this.store = store;
    this.control = control;
    this.mover = mover;
    this.json = json;
    this.timeout = timeout;
  }

  public void patch(Context ctx) throws Exception {
    Priority to = requestedPriority(ctx.body());
    BatchRecord batch = ControlRequests.steerable(store, ctx, "move to another priority");
    String id = batch.batchId();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("batch_id", id);
    answer.put("priority", to.wire());
    if (batch.priority() == to) {
      answer.put("moved_chunks", 0);
      ctx.json(answer);
      return;
    }
    store.records().changePriority(id, batch.priority(), to, batch.created());
    ControlRequests.awaitQueued(control.reprioritise(batch, to, System.currentTimeMillis()), timeout, "priority change");
    int moved;
    try {
      moved = mover.move(id, batch.priority(), to);
    } catch (Exception e) {
      // The record has its new priority (a repeat moves what is still waiting); the chunks not copied run anyway.
      throw new RetriableApiException("the priority is changed but its waiting chunks could not be moved yet: "
          + e.getMessage() + "; repeat the request to move them", Duration.ofSeconds(2));
    }
    answer.put("previous_priority", batch.priority().wire());
    answer.put("moved_chunks", moved);
    ctx.json(answer);
  }

  private Priority requestedPriority(String body) {
    JsonNode node;
    try {
      node = json.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (java.io.IOException e) {
      throw ApiException.invalid("", "the body is not valid JSON: send {\"priority\": \"high\"}");
    }
    if (!node.isObject() || node.size() != 1 || !node.path("priority").isTextual()) {
      throw ApiException.invalid("/priority", "send {\"priority\": \"low\" | \"normal\" | \"high\"}: only the priority of a "
          + "submitted batch can change");
    }
    String wire = node.get("priority").asText();
    return Priority.fromWire(wire).orElseThrow(() ->
        ApiException.invalid("/priority", "unknown priority \"" + wire + "\": use one of low, normal, high"));
  }

  @Override
  public void close() throws Exception {
    admin.close();
  }
}
