package dev.batchinfer.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.store.batch.SkipFlags;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.Priority;
import dev.batchinfer.topics.serde.ChunkCodec;
import dev.batchinfer.worker.batch.ChunkFixtures;
import dev.batchinfer.worker.batch.ChunkRef;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.shadow.ShadowRuns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer's loop on Kafka's MockConsumer: what it commits, where it seeks, what it pauses. The
 * worker has no model loaded, so every chunk is answered at once (model_unavailable) and handed to
 * the publisher, here a list; the test says when each is published.
 */
class ChunkConsumerTest {

  private static final Topics TOPICS = Topics.withPrefix("consumer-test-");
  private static final TopicPartition HIGH_0 = new TopicPartition(TOPICS.requests(Priority.HIGH).name(), 0);
  private static final TopicPartition NORMAL_0 = new TopicPartition(TOPICS.requests(Priority.NORMAL).name(), 0);
  private static final TopicPartition LOW_0 = new TopicPartition(TOPICS.requests(Priority.LOW).name(), 0);
  private static final int MAX_BUFFERED_CHUNKS = 2;
  private static final byte[] NOT_A_CHUNK = "not a chunk".getBytes(StandardCharsets.UTF_8);

  private final CommitLog kafka = new CommitLog();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final PriorityChunkQueue queue = new PriorityChunkQueue(Map.of());
  private final ChunkOutcomes outcomes = new ChunkOutcomes();
  /** Chunks handed to the publisher, in the order the consumer read them. */
  private final List<PendingChunk> toPublish = new CopyOnWriteArrayList<>();
  private Requeue requeue;
  private ChunkConsumer consumer;
  private Thread loop;

  @BeforeEach
  void build(@TempDir Path noModels) {
    LoadedModels models = LoadedModels.load(ModelCatalog.load(noModels), 1, 1);
    SkipWatch nothingSkipped = new SkipWatch(batchId -> SkipFlags.Skips.NONE, (batchId, indexes) -> null);
    // Never asked for copies: with no model loaded no chunk reaches the queue, so none is shadowed.
    ShadowRuns shadows = new ShadowRuns(null, null, models);
    ChunkTriage triage = new ChunkTriage(models, nothingSkipped, shadows, queue, toPublish::add, Parking.NONE);
    // A maximum age of zero: a chunk for a version this worker lacks is answered here, not handed back.
    requeue = new Requeue(producer, Duration.ZERO);
    RecordDispatch dispatch = new RecordDispatch(triage, requeue, new DeadLetters(producer, TOPICS, "test-worker"),
        batchId -> Optional.empty(), outcomes);
    consumer = new ChunkConsumer(kafka, TOPICS, dispatch, outcomes,
        new ChunkConsumer.Limits(queue, MAX_BUFFERED_CHUNKS, () -> 0, Duration.ZERO));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) {
      consumer.stop();
      loop.join(Duration.ofSeconds(30).toMillis());
    }
    requeue.close();
  }

  @Test
  void only_offsets_up_to_the_first_chunk_not_yet_published_are_committed() {
    start(List.of(NORMAL_0), chunk(0), chunk(1), chunk(2));
    await().untilAsserted(() -> assertThat(toPublish).hasSize(3));

    published(2);
    loopGoesRound();
    assertThat(kafka.committedOffsets(NORMAL_0)).as("chunks 0 and 1 are not published yet").isEmpty();

    published(0);
    await().untilAsserted(() -> assertThat(kafka.committedOffsets(NORMAL_0)).containsExactly(1L));
    published(1);
    await().untilAsserted(() -> assertThat(kafka.committedOffsets(NORMAL_0)).containsExactly(1L, 3L));
  }

  @Test
  void a_record_whose_dead_letter_was_not_stored_is_read_again_from_its_offset() {
    start(List.of(NORMAL_0), chunk(0), NOT_A_CHUNK, chunk(2));
    await().untilAsserted(() -> assertThat(toPublish).hasSize(2));
    await().untilAsserted(() -> assertThat(producer.history()).hasSize(1));

    producer.errorNext(new KafkaException("the broker is away"));

    await().untilAsserted(() -> assertThat(kafka.position(NORMAL_0)).isEqualTo(1));
    published(0);
    await().untilAsserted(() -> assertThat(kafka.committedOffsets(NORMAL_0)).containsExactly(1L));

    // Read again from offset 1: this time the dead letter is stored, and chunk 2 is published anew.
    kafka.schedulePollTask(() -> {
      kafka.addRecord(record(NORMAL_0, 1, NOT_A_CHUNK));
      kafka.addRecord(record(NORMAL_0, 2, chunk(2)));
    });
    await().untilAsserted(() -> assertThat(producer.history()).hasSize(2));
    await().untilAsserted(() -> assertThat(toPublish).hasSize(3));
    // Chunk 2 first: offset 1 holds the commit back until its dead letter is stored, so the next
    // commit is 3 whichever moment the loop looks. The other order lets a commit of 2 slip between.
    published(2);
    loopGoesRound();
    assertThat(kafka.committedOffsets(NORMAL_0)).as("offset 1's dead letter is not stored yet").containsExactly(1L);
    producer.completeNext();

    await().untilAsserted(() -> assertThat(kafka.committedOffsets(NORMAL_0)).containsExactly(1L, 3L));
  }

  @Test
  void a_priority_whose_queue_is_full_has_its_partitions_paused_until_a_chunk_leaves_it() {
    start(List.of(HIGH_0, NORMAL_0, LOW_0));
    await().untilAsserted(() -> assertThat(kafka.assignment()).hasSize(3));

    for (int i = 0; i < MAX_BUFFERED_CHUNKS; i++) {
      queue.add(Priority.HIGH, ChunkFixtures.pending("high-" + i, 1, Priority.HIGH));
    }
    await().untilAsserted(() -> assertThat(kafka.paused()).containsExactly(HIGH_0));
    await().untilAsserted(() -> assertThat(consumer.pausedPartitions()).as("what the metrics gauge reads").isEqualTo(1));

    assertThat(queue.poll()).isNotNull();
    await().untilAsserted(() -> assertThat(kafka.paused()).isEmpty());
    await().untilAsserted(() -> assertThat(consumer.pausedPartitions()).isZero());
  }

  @Test
  void the_lag_of_a_priority_is_what_its_partitions_have_not_read_yet() {
    kafka.updateEndOffsets(Map.of(LOW_0, 5L, NORMAL_0, 0L));
    start(List.of(LOW_0, NORMAL_0));

    await().untilAsserted(() -> assertThat(consumer.lag(Priority.LOW)).isEqualTo(5));
    assertThat(consumer.lag(Priority.NORMAL)).isZero();
    assertThat(consumer.lag(Priority.HIGH)).as("no partition of it assigned").isZero();
  }

  /** Assigns the partitions, puts the values on the first one from offset 0, and runs the loop. */
  private void start(List<TopicPartition> assigned, byte[]... values) {
    Map<TopicPartition, Long> beginning = new HashMap<>();
    assigned.forEach(tp -> beginning.put(tp, 0L));
    kafka.updateBeginningOffsets(beginning);
    // Poll tasks run on the loop's thread, after it subscribed.
    kafka.schedulePollTask(() -> {
      kafka.rebalance(assigned);
      for (int i = 0; i < values.length; i++) {
        kafka.addRecord(record(assigned.get(0), i, values[i]));
      }
    });
    loop = new Thread(consumer, "chunk-consumer-test");
    loop.start();
  }

  /**
   * Returns once the loop has taken in everything reported before the call: poll tasks run one a
   * poll, so the second runs only after the loop's pass that followed the first.
   */
  private void loopGoesRound() {
    CountDownLatch secondPoll = new CountDownLatch(1);
    kafka.schedulePollTask(() -> { });
    kafka.schedulePollTask(secondPoll::countDown);
    await().until(() -> secondPoll.getCount() == 0);
  }

  /** Tells the consumer the latest chunk read from {@code offset} is published. */
  private void published(long offset) {
    PendingChunk latest = null;
    for (PendingChunk c : toPublish) {
      if (((ChunkRef) c.origin()).offset() == offset) {
        latest = c;
      }
    }
    outcomes.published(latest);
  }

  private static byte[] chunk(int index) {
    ChunkHeader h = new ChunkHeader("batch", index, 3, 3, "m", "1.0.0", Priority.NORMAL, 0L);
    return ChunkCodec.encode(h, new long[] {index}, new int[] {0, 1}, new byte[1]);
  }

  private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, byte[] value) {
    return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, null, value);
  }

  /** Keeps every offset the consumer commits, in order, so a commit that came and went is seen too. */
  private static final class CommitLog extends MockConsumer<byte[], byte[]> {
    private final List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();

    CommitLog() {
      super("earliest");
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
      commits.add(Map.copyOf(offsets));
      super.commitAsync(offsets, callback);
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      commits.add(Map.copyOf(offsets));
      super.commitSync(offsets);
    }

    List<Long> committedOffsets(TopicPartition tp) {
      List<Long> out = new ArrayList<>();
      commits.stream().filter(c -> c.containsKey(tp)).forEach(c -> out.add(c.get(tp).offset()));
      return out;
    }
  }
}
