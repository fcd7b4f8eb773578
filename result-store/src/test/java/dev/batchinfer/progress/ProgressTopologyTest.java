package dev.batchinfer.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.BatchStatus;
import dev.batchinfer.topics.message.ProgressEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topology's logic, driven by Kafka Streams' own test driver (no broker). */
class ProgressTopologyTest {

  private final Topics topics = Topics.withPrefix("unit.");
  private final List<ProgressUpdate> written = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, ProgressEvent> progress;
  private TestOutputTopic<String, BatchEvent> events;

  @BeforeEach
  void start() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "progress-unit");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(ProgressTopology.build(topics, written::add, registry), p);
    progress = driver.createInputTopic(topics.progress().name(),
        topics.progress().keySerde().serializer(), topics.progress().valueSerde().serializer());
    events = driver.createOutputTopic(topics.batchEvents().name(),
        topics.batchEvents().keySerde().deserializer(), topics.batchEvents().valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void done(String batch, int chunk, int chunks, long total, int ok, int failed) {
    progress.pipeInput(batch, new ProgressEvent.ChunkFinished(batch, chunk, chunks, total, ok, failed, "1.0.0", "w", 1000L + chunk));
  }

  @Test
  void redelivered_chunk_is_counted_once_and_completion_is_emitted_once() {
    done("b", 0, 3, 30, 10, 0);
    done("b", 1, 3, 30, 10, 0);
    done("b", 1, 3, 30, 10, 0); // a worker crashed after reporting and before committing
    done("b", 2, 3, 30, 10, 0);
    done("b", 2, 3, 30, 10, 0); // and once more after completion

    List<BatchEvent> out = events.readValuesToList().stream().filter(e -> e.type().startsWith("batch.")).toList();
    assertThat(out).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo("batch.completed");
      assertThat(e.completed()).isEqualTo(30);
      assertThat(e.total()).isEqualTo(30);
      assertThat(e.eventId()).isEqualTo("b:batch.completed");
    });
    ProgressUpdate last = written.get(written.size() - 1);
    assertThat(last.completed()).isEqualTo(30);
    assertThat(last.status()).isEqualTo(BatchStatus.COMPLETED);
    assertThat(written).hasSize(3);
    assertThat(registry.get("batchinfer.progress.chunks.counted").counter().count()).isEqualTo(3);
    assertThat(registry.get("batchinfer.progress.chunks.deduplicated").counter().count()).isEqualTo(2);
    assertThat(registry.get("batchinfer.progress.batches.finished").tag("status", "completed").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("batchinfer.progress.batches.finished").tag("status", "failed").counter().count()).isZero();
  }

  @Test
  void first_chunk_moves_the_batch_to_processing() {
    done("b", 0, 2, 20, 10, 0);
    assertThat(written).singleElement().satisfies(u -> {
      assertThat(u.status()).isEqualTo(BatchStatus.PROCESSING);
      assertThat(u.startedAt()).isNotNull();
      assertThat(u.completedAt()).isNull();
    });
    assertThat(events.readValuesToList()).extracting(BatchEvent::type).containsExactly("progress.25", "progress.50");
  }

  @Test
  void item_errors_end_completed_with_errors_and_all_errors_end_failed() {
    done("mixed", 0, 2, 4, 2, 0);
    done("mixed", 1, 2, 4, 1, 1);
    done("bad", 0, 1, 2, 0, 2);
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).extracting(BatchEvent::status)
        .containsExactly("completed_with_errors", "failed");
  }

  @Test
  void chunk_index_outside_the_batch_is_ignored() {
    done("b", 0, 2, 20, 10, 0);
    done("b", 7, 2, 20, 10, 0);
    assertThat(written).hasSize(1);
    assertThat(written.get(0).completed()).isEqualTo(10);
  }

  @Test
  void each_milestone_is_emitted_once_even_when_chunks_repeat() {
    done("m", 0, 4, 40, 10, 0);
    done("m", 0, 4, 40, 10, 0);
    done("m", 1, 4, 40, 5, 5);
    done("m", 2, 4, 40, 10, 0);
    done("m", 3, 4, 40, 10, 0);
    assertThat(events.readValuesToList()).extracting(BatchEvent::type).containsExactly(
        "progress.25", "progress.50", "progress.75", "batch.completed_with_errors");
  }

  @Test
  void a_cancel_whose_request_event_was_lost_still_ends_cancelled() {
    progress.pipeInput("c", new ProgressEvent.ChunkFinished("c", 0, 2, 20, 10, 0, 0, "1.0.0", "w", 1, false));
    progress.pipeInput("c", new ProgressEvent.ChunkFinished("c", 1, 2, 20, 0, 0, 10, "1.0.0", "w", 2, true)); // skipped by workers
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).extracting(BatchEvent::status)
        .containsExactly("cancelled");
  }

  @Test
  void a_pause_and_a_resume_are_each_recorded_and_announced_once_and_the_batch_still_completes() {
    progress.pipeInput("p", new ProgressEvent.Paused("p", 2, 20, 5));
    progress.pipeInput("p", new ProgressEvent.Paused("p", 2, 20, 6)); // asked twice
    done("p", 0, 2, 20, 10, 0); // a chunk already at the model when the pause came
    progress.pipeInput("p", new ProgressEvent.Resumed("p", 2, 20, 7));
    progress.pipeInput("p", new ProgressEvent.Resumed("p", 2, 20, 8));
    done("p", 1, 2, 20, 10, 0);
    progress.pipeInput("p", new ProgressEvent.Paused("p", 2, 20, 9)); // too late: it has completed

    assertThat(events.readValuesToList()).extracting(BatchEvent::type).filteredOn(t -> !t.startsWith("progress."))
        .containsExactly("batch.paused", "batch.resumed", "batch.completed");
    ProgressUpdate last = written.get(written.size() - 1);
    assertThat(last.status().wire()).isEqualTo("completed");
    assertThat(last.history()).extracting(BatchProgress.Change::change).containsExactly("paused", "resumed");
    assertThat(last.history()).extracting(BatchProgress.Change::atMs).containsExactly(5L, 7L);
  }

  @Test
  void a_cancel_request_then_skipped_chunks_end_cancelled_once() {
    progress.pipeInput("k", new ProgressEvent.CancelRequested("k", 2, 20, 1));
    progress.pipeInput("k", new ProgressEvent.ChunkFinished("k", 0, 2, 20, 10, 0, 0, "1.0.0", "w", 2, false));
    progress.pipeInput("k", new ProgressEvent.ChunkFinished("k", 1, 2, 20, 0, 0, 10, "1.0.0", "w", 3, true));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).extracting(BatchEvent::status)
        .containsExactly("cancelled");
    assertThat(written.get(written.size() - 1).cancelled()).isEqualTo(10);
  }

  @Test
  void items_cancelled_one_by_one_count_as_cancelled_and_the_batch_ends_normally() {
    progress.pipeInput("s", new ProgressEvent.ChunkFinished("s", 0, 2, 20, 7, 0, 3, "1.0.0", "w", 1, false));
    progress.pipeInput("s", new ProgressEvent.ChunkFinished("s", 1, 2, 20, 9, 1, 0, "1.0.0", "w", 2, false));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).extracting(BatchEvent::status)
        .containsExactly("completed_with_errors");
    ProgressUpdate last = written.get(written.size() - 1);
    assertThat(last.completed() + last.failed() + last.cancelled()).isEqualTo(20);
    assertThat(last.cancelled()).isEqualTo(3);
  }

  @Test
  void a_streamed_batch_takes_its_counts_from_the_seal_not_from_its_chunks() {
    progress.pipeInput("u", new ProgressEvent.Sealed("u", 3, 25, 1));
    for (int chunk = 0; chunk < 3; chunk++) {
      progress.pipeInput("u", new ProgressEvent.ChunkFinished("u", chunk, -1, -1, chunk == 2 ? 5 : 10, 0, "1.0.0", "w", 2 + chunk));
    }
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).singleElement()
        .satisfies(e -> {
          assertThat(e.status()).isEqualTo("completed");
          assertThat(e.total()).isEqualTo(25);
        });
  }

  @Test
  void a_seal_seen_twice_changes_nothing() {
    progress.pipeInput("v", new ProgressEvent.Sealed("v", 1, 4, 1));
    progress.pipeInput("v", new ProgressEvent.ChunkFinished("v", 0, -1, -1, 4, 0, "1.0.0", "w", 2));
    progress.pipeInput("v", new ProgressEvent.Sealed("v", 1, 4, 3));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).hasSize(1);
  }

  @Test
  void a_seal_for_a_batch_that_is_already_final_is_ignored() {
    progress.pipeInput("f", new ProgressEvent.Expired("f", -1, -1, 1));
    progress.pipeInput("f", new ProgressEvent.Sealed("f", 2, 20, 2));
    BatchProgress stored = driver.<String, BatchProgress>getKeyValueStore(ProgressTopology.STORE).get("f");
    assertThat(stored.status()).isEqualTo(BatchStatus.EXPIRED);
    assertThat(stored.countsKnown()).isFalse();
  }

  @Test
  void an_open_batch_ends_at_the_seal_its_finalize_sends_once_every_appended_chunk_is_done() {
    progress.pipeInput("o", new ProgressEvent.Appended("o", 1, "a1", 0, 2, 0, 20));
    progress.pipeInput("o", new ProgressEvent.ChunkFinished("o", 0, -1, -1, 10, 0, "1.0.0", "w", 2));
    progress.pipeInput("o", new ProgressEvent.ChunkFinished("o", 1, -1, -1, 9, 1, "1.0.0", "w", 3));
    progress.pipeInput("o", new ProgressEvent.Appended("o", 4, "a2", 2, 1, 20, 5));
    progress.pipeInput("o", new ProgressEvent.ChunkFinished("o", 2, -1, -1, 5, 0, "1.0.0", "w", 5));
    assertThat(events.readValuesToList()).as("no end before the finalize").filteredOn(e -> e.type().startsWith("batch."))
        .isEmpty();

    progress.pipeInput("o", new ProgressEvent.Sealed("o", 3, 25, 6));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).singleElement()
        .satisfies(e -> {
          assertThat(e.status()).isEqualTo("completed_with_errors");
          assertThat(e.total()).isEqualTo(25);
          assertThat(e.completed()).isEqualTo(24);
        });
    assertThat(written.get(written.size() - 1).status()).isEqualTo(BatchStatus.COMPLETED_WITH_ERRORS);
    progress.pipeInput("o", new ProgressEvent.Sealed("o", 3, 25, 7));
    assertThat(events.readValuesToList()).as("a second seal").isEmpty();
  }

  @Test
  void an_open_batch_sealed_before_its_last_chunk_ends_with_that_chunk() {
    progress.pipeInput("p", new ProgressEvent.Appended("p", 1, "a1", 0, 2, 0, 20));
    progress.pipeInput("p", new ProgressEvent.ChunkFinished("p", 1, -1, -1, 10, 0, "1.0.0", "w", 2));
    progress.pipeInput("p", new ProgressEvent.Sealed("p", 2, 20, 3));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).isEmpty();
    progress.pipeInput("p", new ProgressEvent.ChunkFinished("p", 0, -1, -1, 10, 0, "1.0.0", "w", 4));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).extracting(BatchEvent::status)
        .containsExactly("completed");
  }

  @Test
  void an_open_batch_cancelled_before_any_append_ends_cancelled_at_its_seal() {
    progress.pipeInput("q", new ProgressEvent.CancelRequested("q", -1, -1, 1));
    progress.pipeInput("q", new ProgressEvent.Sealed("q", 0, 0, 2));
    assertThat(events.readValuesToList()).filteredOn(e -> e.type().startsWith("batch.")).extracting(BatchEvent::status)
        .containsExactly("cancelled");
  }
}
