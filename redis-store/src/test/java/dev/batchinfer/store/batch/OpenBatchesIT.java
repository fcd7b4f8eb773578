package dev.batchinfer.store.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.embedded.testing.TestInfra;
import dev.batchinfer.embedded.testing.TestNamespace;
import dev.batchinfer.store.Redis;
import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An open batch's append slot and custom ids against a real Redis. */
class OpenBatchesIT {

  private final TestNamespace ns = TestNamespace.create("open");
  private final Redis redis = Redis.connect(TestInfra.redisUrl(), ns.redisKeyPrefix());
  private final BatchStores store = BatchStores.over(redis);
  private final OpenBatches open = store.open();

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  void appends_take_the_slot_one_at_a_time_and_number_their_items_and_chunks_after_the_confirmed_ones() {
    String id = record(true);
    OpenBatches.Begun a = open.begin(id, "a", 0, 1000);
    assertThat(a).isEqualTo(new OpenBatches.Begun(OpenBatches.Slot.OK, 0, 0));
    assertThat(open.begin(id, "b", 0, 1000).slot()).as("one at a time").isEqualTo(OpenBatches.Slot.BUSY);
    assertThat(open.prepare(id, "a", new OpenBatches.Appended(0, 250, 0, 3), new long[] {0, 100, 200})).isTrue();
    assertThat(open.confirm(id, "a")).isTrue();
    assertThat(open.confirmed(id, "a")).contains(new OpenBatches.Appended(0, 250, 0, 3));

    OpenBatches.Begun b = open.begin(id, "b", 0, 1000);
    assertThat(b).isEqualTo(new OpenBatches.Begun(OpenBatches.Slot.OK, 250, 3));
    open.abandon(id, "b"); // failed before its commit: the record as before
    BatchRecord r = store.records().find(id).orElseThrow();
    assertThat(r.total()).isEqualTo(250);
    assertThat(r.chunkStarts()).containsExactly(0, 100, 200);

    OpenBatches.Begun c = open.begin(id, "c", 0, 1000);
    assertThat(c.total()).isEqualTo(250);
    assertThat(open.prepare(id, "c", new OpenBatches.Appended(250, 10, 3, 1), new long[] {250})).isTrue();
    assertThat(open.abandonUnprepared(id, "c")).as("prepared: only Kafka can tell").isFalse();
    assertThat(open.inFlight(id)).hasValueSatisfying(f -> assertThat(f.adds()).isNotNull());
    open.confirm(id, "c");
    assertThat(store.records().find(id).orElseThrow().chunkStarts()).containsExactly(0, 100, 200, 250);

    open.begin(id, "finalize-1", 0, 1000);
    open.finalized(id, "finalize-1");
    assertThat(open.begin(id, "d", 0, 1000).slot()).isEqualTo(OpenBatches.Slot.FINALIZED);
    assertThat(store.records().find(id).orElseThrow().steering().finalized()).isTrue();
    assertThat(open.begin(record(false), "e", 0, 1000).slot()).isEqualTo(OpenBatches.Slot.NOT_OPEN);
    assertThat(open.begin("no-such-batch", "f", 0, 1000).slot()).isEqualTo(OpenBatches.Slot.NOT_FOUND);
  }

  @Test
  void a_slot_held_past_its_time_is_due_for_the_sweep_and_an_unprepared_one_is_freed() {
    String id = record(true);
    open.begin(id, "quiet", 0, 500);
    assertThat(open.due(499, 100)).doesNotContain(new OpenBatches.Due(id, "quiet"));
    assertThat(open.due(500, 100)).contains(new OpenBatches.Due(id, "quiet"));
    assertThat(open.abandonUnprepared(id, "quiet")).isTrue();
    assertThat(open.inFlight(id)).isEmpty();
    assertThat(open.due(10_000, 100)).doesNotContain(new OpenBatches.Due(id, "quiet"));
    assertThat(open.prepare(id, "quiet", new OpenBatches.Appended(0, 1, 0, 1), new long[] {0}))
        .as("its place is gone: it may not commit").isFalse();
  }

  @Test
  void custom_ids_are_unique_across_appends_but_those_of_an_append_that_never_landed_are_reused() {
    String id = record(true);
    assertThat(store.customIds().indexAppended(id, new String[] {"x", "y"}, new long[] {0, 1}, 0)).isNull();
    assertThat(store.customIds().indexAppended(id, new String[] {"z", "x"}, new long[] {2, 3}, 2)).isEqualTo("x");
    assertThat(store.customIds().itemsOf(id, List.of("z"))).as("refused whole").containsExactly((Long) null);
    // "w" was indexed at 2 by an append that then failed; the next one, also from 2, may use it.
    assertThat(store.customIds().indexAppended(id, new String[] {"w"}, new long[] {2}, 2)).isNull();
    assertThat(store.customIds().indexAppended(id, new String[] {"w"}, new long[] {5}, 2)).isNull();
    assertThat(store.customIds().itemsOf(id, List.of("w"))).containsExactly(5L);
  }

  private String record(boolean open) {
    String id = "b-" + System.nanoTime();
    Instant now = Instant.now();
    BatchRecord r = BatchRecord.queued(id, "t", "fashion-mnist", "1.0.0", Priority.NORMAL, 0, new long[0], null,
        List.of(), null, now, now, now.plus(Duration.ofHours(1)), Duration.ofHours(1));
    store.records().create(open ? r.opened() : r);
    return id;
  }
}
