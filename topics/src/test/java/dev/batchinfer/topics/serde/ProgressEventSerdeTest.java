package dev.batchinfer.topics.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.batchinfer.topics.message.ProgressEvent;
import dev.batchinfer.topics.message.ProgressEvent.CancelRequested;
import dev.batchinfer.topics.message.ProgressEvent.ChunkFinished;
import dev.batchinfer.topics.message.ProgressEvent.Expired;
import dev.batchinfer.topics.message.ProgressEvent.Sealed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressEventSerdeTest {

  private final ProgressEventSerde serde = new ProgressEventSerde();

  /** The record every service of version 1 wrote and read (the old ChunkDone), as JSON fields. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Version1(String batchId, int chunkIndex, int chunkCount, long totalItems, int succeeded, int failed,
      int cancelled, String modelVersion, String workerId, long finishedAtMs, String kind, Boolean batchCancelled) {}

  private static final List<ProgressEvent> EVERY_KIND = List.of(
      new ChunkFinished("b", 3, 10, 1000, 97, 2, 1, "1.0.0", "worker-a", 1_000L, false),
      new ChunkFinished("b", 4, 10, 1000, 0, 0, 100, "1.0.0", "worker-a", 1_001L, true),
      new CancelRequested("b", 10, 1000, 2_000L),
      new Expired("b", 10, 1000, 3_000L),
      new Sealed("b", 10, 1000, 4_000L),
      new ProgressEvent.Paused("b", 10, 1000, 5_000L),
      new ProgressEvent.Resumed("b", 10, 1000, 6_000L),
      new ProgressEvent.PriorityChanged("b", 10, 1000, 7_000L, dev.batchinfer.topics.message.Priority.NORMAL,
          dev.batchinfer.topics.message.Priority.HIGH),
      new ProgressEvent.DeadlinePassed("b", 10, 1000, 8_000L),
      new Expired("b", 10, 1000, 9_000L, "waited in the queue behind 5000 items"),
      new ProgressEvent.Appended("b", 10_000L, "append-1", 3, 2, 3000, 1500));

  @Test
  void every_event_reads_back_as_written() {
    for (ProgressEvent e : EVERY_KIND) {
      assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", e))).isEqualTo(e);
    }
  }

  @Test
  void version_2_writes_its_version_and_type() throws Exception {
    var n = JsonSerde.MAPPER.readTree(serde.serializer().serialize("t", EVERY_KIND.get(2)));
    assertThat(n.get("v").asInt()).isEqualTo(2);
    assertThat(n.get("type").asText()).isEqualTo("cancel_requested");
  }

  @Test
  void records_written_by_version_1_are_read() {
    List<Version1> old = List.of(
        new Version1("b", 3, 10, 1000, 97, 2, 1, "1.0.0", "worker-a", 1_000L, null, null),
        new Version1("b", 4, 10, 1000, 0, 0, 100, "1.0.0", "worker-a", 1_001L, null, true),
        new Version1("b", -1, 10, 1000, 0, 0, 0, null, "api", 2_000L, "cancel", null),
        new Version1("b", -1, 10, 1000, 0, 0, 0, null, "result-store", 3_000L, "expire", null),
        new Version1("b", -1, 10, 1000, 0, 0, 0, null, "api", 4_000L, "seal", null));
    for (int i = 0; i < old.size(); i++) {
      assertThat(serde.deserializer().deserialize("t", json(old.get(i)))).isEqualTo(EVERY_KIND.get(i));
    }
  }

  @Test
  void a_service_still_on_version_1_reads_what_version_2_writes() throws Exception {
    List<String> kinds = new java.util.ArrayList<>();
    for (ProgressEvent e : EVERY_KIND) {
      Version1 read = JsonSerde.MAPPER.readValue(serde.serializer().serialize("t", e), Version1.class);
      assertThat(read.batchId()).isEqualTo("b");
      // An append's counts are unknown by design (its batch's seal fixes them).
      boolean append = e instanceof ProgressEvent.Appended;
      assertThat(read.chunkCount()).isEqualTo(append ? -1 : 10);
      assertThat(read.totalItems()).isEqualTo(append ? -1 : 1000);
      assertThat(read.finishedAtMs()).isEqualTo(e.atMs());
      if (e instanceof ChunkFinished c) {
        assertThat(read.chunkIndex()).isEqualTo(c.chunkIndex());
        assertThat(new int[] {read.succeeded(), read.failed(), read.cancelled()})
            .containsExactly(c.succeeded(), c.failed(), c.cancelled());
        assertThat(Boolean.TRUE.equals(read.batchCancelled())).isEqualTo(c.skippedForBatchCancel());
      } else {
        assertThat(read.chunkIndex()).isEqualTo(-1);
      }
      kinds.add(read.kind());
    }
    assertThat(kinds).containsExactly(null, null, "cancel", "expire", "seal", "pause", "resume", "priority", "deadline", "expire",
        "append");
  }

  @Test
  void an_unknown_type_or_a_missing_field_is_undecodable_not_guessed() {
    byte[] future = "{\"v\":3,\"type\":\"teleported\",\"batchId\":\"b\",\"chunkCount\":1,\"totalItems\":1,\"finishedAtMs\":1}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", future))
        .isInstanceOf(UndecodableRecordException.class).hasMessageContaining("teleported");
    byte[] noBatch = "{\"v\":2,\"type\":\"sealed\",\"chunkCount\":1,\"totalItems\":1,\"finishedAtMs\":1}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", noBatch))
        .isInstanceOf(UndecodableRecordException.class).hasMessageContaining("batchId");
    byte[] negative = "{\"batchId\":\"b\",\"chunkIndex\":-1,\"chunkCount\":1,\"totalItems\":1,\"finishedAtMs\":1}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", negative))
        .isInstanceOf(UndecodableRecordException.class).hasMessageContaining("negative");
  }

  private static byte[] json(Object o) {
    try {
      return JsonSerde.MAPPER.writeValueAsBytes(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
